/**
 * Drives Debian's radclient (freeradius-utils), an independent RADIUS
 * implementation, against our server. Under CI=true a missing binary fails
 * loudly; elsewhere the caller may skip.
 */
import { execFile, spawnSync } from 'node:child_process';

export function hasBinary(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
  if (!found && process.env.CI === 'true') throw new Error(`${name} is required under CI: install Debian's freeradius-utils (.ci/run does)`);
  return found;
}

export interface RadclientReply {
  /** 'Access-Accept', 'Accounting-Response', … or null when no reply came. */
  readonly code: string | null;
  readonly attributes: ReadonlyMap<string, string[]>;
  readonly output: string;
}

export interface RadclientRequest {
  /** host:port, IPv6 as [::1]:port. */
  readonly server: string;
  readonly kind: 'auth' | 'acct' | 'status';
  readonly secret: string;
  /** Attribute lines as radclient reads them: `User-Name = "alice"`. */
  readonly attributes: readonly string[];
  readonly retries?: number;
  readonly timeoutSec?: number;
}

export function radclient(r: RadclientRequest): Promise<RadclientReply> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'radclient',
      ['-x', '-r', String(r.retries ?? 1), '-t', String(r.timeoutSec ?? 2), r.server, r.kind, r.secret],
      { timeout: 30_000 },
      (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (err && (err as { killed?: boolean }).killed) return reject(new Error(`radclient hung: ${output}`));
        resolve(parse(output));
      },
    );
    child.stdin!.end(r.attributes.join('\n') + '\n');
  });
}

function parse(output: string): RadclientReply {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Received '));
  const attributes = new Map<string, string[]>();
  if (start < 0) return { code: null, attributes, output };
  const code = /^Received (\S+)/.exec(lines[start]!)![1]!;
  for (const line of lines.slice(start + 1)) {
    const m = /^\s+([\w-]+) = (.*)$/.exec(line);
    if (!m) break;
    const value = m[2]!.replace(/^"(.*)"$/, '$1');
    attributes.set(m[1]!, [...(attributes.get(m[1]!) ?? []), value]);
  }
  return { code, attributes, output };
}

/** radclient's quoting: double quotes, with backslash escapes. */
export function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
