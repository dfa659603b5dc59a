/**
 * The bundle an agent downloads: every rendered file in one text, in path
 * order, so the same configuration always gives the same bytes and the same
 * sha256. Its format is made for a POSIX shell with awk:
 *
 *   wfc-bundle 1
 *   file etc/config/wireless 42
 *   <the file's 42 lines>
 *   file etc/config/network 17
 *   <17 lines>
 *
 * Files are UTF-8 text ending in a newline, without carriage returns; the
 * line count tells where each ends. The checksum (the ETag) is the sha256 of
 * the whole text: nothing in it depends on time or on the version number, so
 * rendering unchanged settings gives the same checksum and publishes nothing.
 */
import { createHash } from 'node:crypto';

export interface BundleFile {
  /** Relative to the device's root, no leading slash: `etc/config/wireless`. */
  readonly path: string;
  readonly content: string;
}

export const BUNDLE_MAGIC = 'wfc-bundle 1';
const PATH = /^(?:[a-z0-9_.-]+\/)*[a-z0-9_.-]+$/;

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function encodeBundle(files: readonly BundleFile[]): { text: string; checksum: string } {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts = [`${BUNDLE_MAGIC}\n`];
  let last = '';
  for (const f of sorted) {
    if (!PATH.test(f.path) || f.path.split('/').some((seg) => seg === '..' || seg === '.')) throw new RangeError(`bundle: bad path ${f.path}`);
    if (f.path === last) throw new RangeError(`bundle: ${f.path} twice`);
    if (!f.content.endsWith('\n') || f.content.includes('\r')) throw new RangeError(`bundle: ${f.path} must end with a newline and have no CR`);
    let lines = 0;
    for (let i = f.content.indexOf('\n'); i >= 0; i = f.content.indexOf('\n', i + 1)) lines++;
    parts.push(`file ${f.path} ${lines}\n`, f.content);
    last = f.path;
  }
  const text = parts.join('');
  return { text, checksum: sha256(text) };
}

export function decodeBundle(text: string): BundleFile[] {
  const lines = text.split('\n');
  if (lines[0] !== BUNDLE_MAGIC) throw new RangeError('not a wfc bundle');
  if (lines[lines.length - 1] !== '') throw new RangeError('bundle does not end with a newline');
  const files: BundleFile[] = [];
  let i = 1;
  while (i < lines.length - 1) {
    const m = /^file (\S+) (\d+)$/.exec(lines[i]!);
    if (!m) throw new RangeError(`bundle line ${i + 1}: expected "file <path> <lines>"`);
    const n = Number(m[2]);
    if (i + 1 + n > lines.length - 1) throw new RangeError(`bundle: ${m[1]} is cut short`);
    files.push({ path: m[1]!, content: lines.slice(i + 1, i + 1 + n).join('\n') + '\n' });
    i += 1 + n;
  }
  return files;
}
