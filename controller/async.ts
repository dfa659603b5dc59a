/** Small promise helpers shared by the parts. */

/**
 * `p`, or the error `timeout()` makes after `ms`, whichever comes first.
 * The late outcome of `p` is ignored (and never an unhandled rejection).
 */
export function withTimeout<T>(p: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(timeout()), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
