/** Where things are in the checkout, wherever the compiled file runs from. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root: the nearest directory up whose package.json is ours. */
export const REPO_ROOT: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'wifi-federation-controller') return dir;
    dir = dirname(dir);
  }
  throw new Error('bench: cannot find the repository root (package.json of wifi-federation-controller)');
})();
