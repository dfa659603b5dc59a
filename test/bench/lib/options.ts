/**
 * The benchmark's settings: flags first, then WFC_BENCH_* environment
 * variables, then defaults. Parsed once, validated, frozen.
 */
import { parseArgs } from 'node:util';

export const OUR_SCENARIOS = ['pap', 'pap-redis', 'token', 'mac', 'acct-interim', 'acct-start-stop'] as const;
export type OurScenario = (typeof OUR_SCENARIOS)[number];

export interface BenchOptions {
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly scenarios: readonly OurScenario[];
  /** Also run FreeRADIUS (when /usr/sbin/freeradius exists). */
  readonly freeradius: boolean;
  readonly freeradiusThreads: number;
  /** Take a CPU profile of our server under the PAP-cached load. */
  readonly profile: boolean;
  /** Keep the .cpuprofile here (it is never committed). */
  readonly profileOut: string | null;
  readonly redisUrl: string;
  readonly json: string | null;
  readonly keep: boolean;
}

export const USAGE = `Usage: node dist/test/bench/radius.js [options]   (npm run bench:radius -- [options])

  --warmup <s>              seconds of load before measuring (WFC_BENCH_WARMUP, default 2)
  --duration <s>            seconds measured per scenario (WFC_BENCH_DURATION, default 10)
  --concurrency <n>         outstanding requests, 1..255 (WFC_BENCH_CONCURRENCY, default 32)
  --timeout <ms>            a request unanswered this long is a timeout (WFC_BENCH_TIMEOUT_MS, default 1000)
  --scenarios <a,b,...>     of ${OUR_SCENARIOS.join(', ')} (WFC_BENCH_SCENARIOS, default all)
  --no-freeradius           skip the FreeRADIUS comparison
  --freeradius-threads <n>  FreeRADIUS thread pool size (default 2: one per core)
  --no-profile              skip the CPU profile of our server
  --profile-out <file>      keep the .cpuprofile there (default: deleted with the temp dir)
  --redis <url>             Redis for the token scenario, loopback only (WFC_BENCH_REDIS_URL, default redis://127.0.0.1:6379)
  --json <file>             also write the results as JSON
  --quick                   warm-up 0.5 s, 3 s per scenario
  --keep                    keep the temporary data dirs (for debugging)
`;

export class UsageError extends Error {}

export function loadOptions(argv: readonly string[], env: NodeJS.ProcessEnv): Readonly<BenchOptions> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      warmup: { type: 'string' },
      duration: { type: 'string' },
      concurrency: { type: 'string' },
      timeout: { type: 'string' },
      scenarios: { type: 'string' },
      'no-freeradius': { type: 'boolean' },
      'freeradius-threads': { type: 'string' },
      'no-profile': { type: 'boolean' },
      'profile-out': { type: 'string' },
      redis: { type: 'string' },
      json: { type: 'string' },
      quick: { type: 'boolean' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new UsageError(USAGE);
  const quick = values.quick === true;
  const seconds = (name: string, flag: string | undefined, envName: string, dflt: number, min: number, max: number): number =>
    number(name, flag ?? env[envName], dflt, min, max, false);

  const scenarioList = (values.scenarios ?? env.WFC_BENCH_SCENARIOS ?? OUR_SCENARIOS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const s of scenarioList) {
    if (!(OUR_SCENARIOS as readonly string[]).includes(s)) throw new UsageError(`--scenarios: unknown scenario ${s} (known: ${OUR_SCENARIOS.join(', ')})`);
  }
  const redisUrl = values.redis ?? env.WFC_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisHost = safeHost(redisUrl);
  // Loopback only: this tool never sends anything off the machine.
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(redisHost)) throw new UsageError(`--redis: ${redisHost} is not a loopback address`);

  return Object.freeze({
    warmupMs: Math.round(seconds('--warmup', values.warmup, 'WFC_BENCH_WARMUP', quick ? 0.5 : 2, 0, 60) * 1000),
    durationMs: Math.round(seconds('--duration', values.duration, 'WFC_BENCH_DURATION', quick ? 3 : 10, 0.5, 300) * 1000),
    concurrency: number('--concurrency', values.concurrency ?? env.WFC_BENCH_CONCURRENCY, 32, 1, 255, true),
    timeoutMs: number('--timeout', values.timeout ?? env.WFC_BENCH_TIMEOUT_MS, 1000, 10, 30_000, true),
    scenarios: Object.freeze(OUR_SCENARIOS.filter((s) => scenarioList.includes(s))),
    freeradius: values['no-freeradius'] !== true,
    freeradiusThreads: number('--freeradius-threads', values['freeradius-threads'], 2, 1, 64, true),
    profile: values['no-profile'] !== true,
    profileOut: values['profile-out'] ?? null,
    redisUrl,
    json: values.json ?? null,
    keep: values.keep === true,
  });
}

function number(name: string, raw: string | undefined, dflt: number, min: number, max: number, integer: boolean): number {
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new UsageError(`${name}: expected ${integer ? 'a whole number' : 'a number'} in ${min}..${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    throw new UsageError(`--redis: not a URL: ${url}`);
  }
}
