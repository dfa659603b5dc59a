import { InvalidArgumentError, type Command } from 'commander';
import { withContext, type CliContext } from '../context.js';

export interface GlobalOpts {
  readonly dataDir?: string;
}

/** Runs a command's action with the stores open; --data-dir comes from the root program. */
export function action<A extends unknown[]>(
  cmd: Command,
  fn: (ctx: CliContext, ...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const global = cmd.optsWithGlobals() as GlobalOpts;
    await withContext(global.dataDir, (ctx) => fn(ctx, ...args));
  };
}

/** Reads a password from standard input (first line), so it never appears in `ps`. */
export async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/*
 * InvalidArgumentError makes a bad option value a usage error (exit 2), like
 * a missing option; commander's message already names the option.
 */
export function int(_name: string) {
  return (v: string): number => {
    if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('Expected a whole number.');
    return Number(v);
  };
}

export function num(_name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('Expected a number.');
    return n;
  };
}
