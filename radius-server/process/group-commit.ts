/**
 * Group commit for accounting: records that arrive while a write is in
 * progress are written together by the next one, so the store sees one
 * transaction per burst instead of one per packet. Each caller's promise
 * settles when ITS record is durable (or the batch failed): only then may
 * the NAS be acknowledged (RFC 2866 §4.1 — no response without recording).
 */
export interface GroupCommit<T> {
  add(item: T): Promise<void>;
  /** Waits for everything queued so far. */
  drain(): Promise<void>;
  readonly pending: number;
}

interface Waiter<T> {
  readonly item: T;
  resolve(): void;
  reject(e: unknown): void;
}

export function createGroupCommit<T>(write: (batch: readonly T[]) => Promise<void>, maxBatch: number): GroupCommit<T> {
  let queue: Waiter<T>[] = [];
  let writing: Promise<void> | null = null;
  let scheduled = false;

  const writeEach = async (batch: readonly Waiter<T>[]): Promise<void> => {
    for (const w of batch) {
      try {
        await write([w.item]);
        w.resolve();
      } catch (e) {
        w.reject(e);
      }
    }
  };

  const pump = (): void => {
    if (writing || queue.length === 0) return;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    writing = write(batch.map((w) => w.item)).then(
      () => batch.forEach((w) => w.resolve()),
      // One bad record must not fail its neighbours (whose NAS would retry
      // into the same bad batch for ever): retry each alone.
      () => writeEach(batch),
    );
    void writing.finally(() => {
      writing = null;
      pump();
    });
  };

  return {
    add(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // setImmediate runs after the poll phase: every datagram read in this
        // loop iteration joins the batch before it is written.
        if (!writing && !scheduled) {
          scheduled = true;
          setImmediate(() => {
            scheduled = false;
            pump();
          });
        }
      });
    },
    async drain() {
      while (writing || queue.length) {
        pump();
        await writing;
      }
    },
    get pending() {
      return queue.length;
    },
  };
}
