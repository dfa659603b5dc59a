/**
 * Per-scenario results and the tables printed at the end (Markdown, so the
 * output pastes into docs/benchmarks.md as is).
 */
import type { LoadResult } from './load.js';
import type { ServerLabel } from './servers.js';

export interface ScenarioResult {
  readonly scenario: string;
  readonly server: ServerLabel;
  /** What differs from the plain scenario (e.g. "Redis", "SSHA2-256"). */
  readonly variant: string;
  /** Anything else worth a word in the table. */
  readonly notes?: string;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly answered: number;
  readonly timeouts: number;
  readonly unexpected: Readonly<Record<string, number>>;
  readonly invalid: Readonly<Record<string, number>>;
  /** Server process CPU (user + system, all threads) per answered request, µs. */
  readonly serverCpuMicrosPerRequest: number;
  /** Share of one core the server used during the window. */
  readonly serverCores: number;
  readonly peakRssMiB: number;
  /** The load generator's own CPU per answered request, µs (it shares the 2 cores). */
  readonly generatorCpuMicrosPerRequest: number;
  /** Redis server CPU per answered request, µs (token scenario; includes the generator's token issuing). */
  readonly redisCpuMicrosPerRequest?: number;
  /** The first request, alone, before the load (for PAP: the uncached argon2id verification), ms. */
  readonly firstLatencyMs: number;
  /** The measured window on CLOCK_MONOTONIC, µs (to cut a CPU profile to it). */
  readonly windowMonotonicMicros: { readonly open: number; readonly close: number };
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarise(
  head: { scenario: string; server: ServerLabel; variant: string },
  load: LoadResult,
  cost: { serverCpuMicros: number; peakRssKiB: number; redisCpuMicros?: number },
): ScenarioResult {
  const n = load.answered;
  return {
    ...head,
    seconds: load.seconds,
    requestsPerSecond: n / load.seconds,
    p50Ms: percentile(load.latenciesMs, 0.5),
    p99Ms: percentile(load.latenciesMs, 0.99),
    maxMs: load.latenciesMs.length ? load.latenciesMs[load.latenciesMs.length - 1]! : NaN,
    answered: n,
    timeouts: load.timeouts,
    unexpected: load.unexpected,
    invalid: load.invalid,
    serverCpuMicrosPerRequest: n ? cost.serverCpuMicros / n : NaN,
    serverCores: cost.serverCpuMicros / 1e6 / load.seconds,
    peakRssMiB: cost.peakRssKiB / 1024,
    generatorCpuMicrosPerRequest: n ? load.generatorCpuMicros / n : NaN,
    firstLatencyMs: load.firstLatencyMs,
    windowMonotonicMicros: load.windowMonotonicMicros,
    ...(cost.redisCpuMicros !== undefined ? { redisCpuMicrosPerRequest: n ? cost.redisCpuMicros / n : NaN } : {}),
  };
}

const f = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');

function problems(r: ScenarioResult): string {
  const parts = [...Object.entries(r.unexpected).map(([k, v]) => `${v} ${k}`), ...Object.entries(r.invalid).map(([k, v]) => `${v} invalid (${k})`)];
  return parts.join(', ');
}

/**
 * The rows as Markdown. With a bare-node row (the calibration responder),
 * a column gives each server's CPU per request as a multiple of it: that
 * ratio travels between machines better than microseconds do.
 */
export function resultsTable(results: readonly ScenarioResult[], floor?: ScenarioResult): string {
  const lines = [
    '| scenario | server | req/s | p50 ms | p99 ms | max ms | answered | timeouts | server CPU µs/req | × bare-node | server cores | peak RSS MiB | generator µs/req | notes |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const r of results) {
    const times = floor ? f(r.serverCpuMicrosPerRequest / floor.serverCpuMicrosPerRequest, 1) : '–';
    const notes = [r.variant, r.notes ?? '', r.redisCpuMicrosPerRequest !== undefined ? `Redis ${f(r.redisCpuMicrosPerRequest, 1)} µs/req` : '', problems(r)].filter((s) => s !== '').join('; ');
    lines.push(
      `| ${r.scenario} | ${r.server} | ${int(r.requestsPerSecond)} | ${f(r.p50Ms, 2)} | ${f(r.p99Ms, 2)} | ${f(r.maxMs, 1)} | ${int(r.answered)} | ${r.timeouts} | ${f(r.serverCpuMicrosPerRequest, 1)} | ${times} | ${f(r.serverCores, 2)} | ${f(r.peakRssMiB, 0)} | ${f(r.generatorCpuMicrosPerRequest, 1)} | ${notes} |`,
    );
  }
  return lines.join('\n');
}

/** ours ÷ theirs for each scenario both ran (ratio > 1 on req/s is better for us; < 1 on CPU is better for us). */
export function comparisonTable(results: readonly ScenarioResult[]): string {
  const lines = [
    '| scenario | FreeRADIUS variant | req/s ours / FR | ratio | CPU µs/req ours / FR | ratio | p99 ms ours / FR |',
    '|---|---|--:|--:|--:|--:|--:|',
  ];
  for (const theirs of results.filter((r) => r.server === 'freeradius')) {
    const ours = results.find((r) => r.server === 'wfc' && r.scenario === theirs.scenario && r.variant === '');
    if (!ours) continue;
    lines.push(
      `| ${theirs.scenario} | ${theirs.variant || 'default'} | ${int(ours.requestsPerSecond)} / ${int(theirs.requestsPerSecond)} | ${f(ours.requestsPerSecond / theirs.requestsPerSecond, 2)} | ${f(ours.serverCpuMicrosPerRequest, 1)} / ${f(theirs.serverCpuMicrosPerRequest, 1)} | ${f(ours.serverCpuMicrosPerRequest / theirs.serverCpuMicrosPerRequest, 2)} | ${f(ours.p99Ms, 2)} / ${f(theirs.p99Ms, 2)} |`,
    );
  }
  return lines.join('\n');
}
