/**
 * Summarises a V8 .cpuprofile (what `node --cpu-prof` writes): self time by
 * function, by area (our directories, npm packages, Node internals, GC),
 * and inclusive time of functions (each counted once per sample, so
 * recursion is not double counted). Percentages are of busy time: samples
 * where the server was not idle.
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Row {
  readonly name: string;
  readonly where: string;
  readonly area: string;
  readonly ms: number;
  readonly pct: number;
}

export interface ProfileSummary {
  readonly sampledMs: number;
  readonly idleMs: number;
  readonly busyMs: number;
  readonly self: readonly Row[];
  readonly areas: ReadonlyArray<{ area: string; ms: number; pct: number }>;
  readonly inclusive: readonly Row[];
}

const SPECIAL = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/** file:///…/dist/radius-server/codec/crypto.js → radius-server/codec/crypto.js; node_modules kept from the package. */
function shortUrl(url: string): string {
  if (url === '') return '';
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + 1);
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

function areaOfUrl(url: string): string {
  const u = shortUrl(url);
  if (u.startsWith('node:')) {
    // node:internal/crypto/hash → node:crypto; node:dgram → node:dgram
    const parts = u.slice(5).split('/');
    return `node:${parts[0] === 'internal' && parts.length > 1 ? parts[1]!.replace(/\.js$/, '') : parts[0]!}`;
  }
  if (u.startsWith('node_modules/')) {
    const parts = u.split('/');
    return parts[1]!.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]!;
  }
  // Our code: the directory (radius-server/codec, controller/adapters/sqlite, …).
  const dir = u.split('/').slice(0, -1).join('/');
  return dir === '' ? u : dir;
}

/** Only samples taken in [from, to] (µs, CLOCK_MONOTONIC like the profile's timestamps) count. */
export interface SampleWindow {
  readonly from: number;
  readonly to: number;
}

export function summariseProfile(profile: CpuProfile, opts: { top?: number; window?: SampleWindow } = {}): ProfileSummary {
  const top = opts.top ?? 25;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) byId.set(n.id, n);
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const keyOf = (n: ProfileNode): string => {
    const f = n.callFrame;
    return `${f.functionName || '(anonymous)'}\u0000${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  };
  // Native frames (no URL) are charged to the area of the nearest JS caller, marked "native".
  const areaCache = new Map<number, string>();
  const areaOf = (id: number): string => {
    const cached = areaCache.get(id);
    if (cached !== undefined) return cached;
    const n = byId.get(id)!;
    let area: string;
    if (SPECIAL.has(n.callFrame.functionName)) area = n.callFrame.functionName;
    else if (n.callFrame.url) area = areaOfUrl(n.callFrame.url);
    else {
      let p = parent.get(id);
      while (p !== undefined && !byId.get(p)!.callFrame.url) p = parent.get(p);
      area = p === undefined ? '(native)' : `${areaOfUrl(byId.get(p)!.callFrame.url)} (native)`;
    }
    areaCache.set(id, area);
    return area;
  };

  const self = new Map<string, { ms: number; area: string }>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, { ms: number; area: string }>();
  let sampledMs = 0;
  let idleMs = 0;
  const samples = profile.samples;
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    const ms = delta / 1000;
    if (ms <= 0) continue;
    if (opts.window && (t < opts.window.from || t > opts.window.to)) continue;
    const id = samples[i]!;
    const node = byId.get(id);
    if (!node) continue;
    sampledMs += ms;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const area = areaOf(id);
    const k = keyOf(node);
    const s = self.get(k) ?? { ms: 0, area };
    s.ms += ms;
    self.set(k, s);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (SPECIAL.has(n.callFrame.functionName)) continue;
      const key = keyOf(n);
      if (seen.has(key)) continue;
      seen.add(key);
      const e = inclusive.get(key) ?? { ms: 0, area: areaOf(cur) };
      e.ms += ms;
      inclusive.set(key, e);
    }
  }
  const busyMs = sampledMs - idleMs;
  const rows = (m: Map<string, { ms: number; area: string }>): Row[] =>
    [...m.entries()]
      .map(([k, v]) => {
        const [name, where] = k.split('\u0000') as [string, string];
        return { name, where, area: v.area, ms: v.ms, pct: (100 * v.ms) / busyMs };
      })
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return {
    sampledMs,
    idleMs,
    busyMs,
    self: rows(self),
    areas: [...areas.entries()].map(([area, ms]) => ({ area, ms, pct: (100 * ms) / busyMs })).sort((a, b) => b.ms - a.ms),
    inclusive: rows(inclusive),
  };
}

export function profileMarkdown(s: ProfileSummary, top = 25): string {
  const out: string[] = [];
  out.push(
    `Sampled ${s.sampledMs.toFixed(0)} ms: busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms. Percentages are of busy time. ` +
      'The V8 sampler sees the main thread only (not libuv or GC helper threads) and samples wall-clock time: while the thread is ' +
      'preempted, the time is charged to the frame that was running, typically the sendmsg in `doSend` that woke the load generator.',
  );
  out.push('', '**Self time, top functions**', '', '| % busy | ms | function | where | area |', '|--:|--:|---|---|---|');
  for (const r of s.self.slice(0, top)) out.push(`| ${r.pct.toFixed(1)} | ${r.ms.toFixed(0)} | \`${r.name}\` | ${r.where || '(native)'} | ${r.area} |`);
  out.push('', '**Self time by area** (native frames charged to their nearest JS caller)', '', '| % busy | ms | area |', '|--:|--:|---|');
  for (const a of s.areas.slice(0, top)) out.push(`| ${a.pct.toFixed(1)} | ${a.ms.toFixed(0)} | ${a.area} |`);
  out.push('', '**Inclusive time, top functions**', '', '| % busy | ms | function | where |', '|--:|--:|---|---|');
  for (const r of s.inclusive.slice(0, top)) out.push(`| ${r.pct.toFixed(1)} | ${r.ms.toFixed(0)} | \`${r.name}\` | ${r.where || '(native)'} |`);
  return out.join('\n');
}
