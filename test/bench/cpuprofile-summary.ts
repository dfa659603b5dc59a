/**
 * Summarises any .cpuprofile (e.g. one kept with `npm run bench:radius --
 * --profile-out x.cpuprofile`, or from `node --cpu-prof`) as Markdown:
 *
 *   node dist/test/bench/cpuprofile-summary.js <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';
import { profileMarkdown, summariseProfile, type CpuProfile } from './lib/cpuprofile.js';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node dist/test/bench/cpuprofile-summary.js <file.cpuprofile> [top]');
  process.exit(64);
}
const top = topArg === undefined ? 25 : Number(topArg);
if (!Number.isInteger(top) || top < 1) {
  console.error(`top must be a positive whole number, got ${topArg}`);
  process.exit(64);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
console.log(profileMarkdown(summariseProfile(profile, { top }), top));
