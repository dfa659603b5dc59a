/**
 * docs/grafana/wfc-overview.json and docs/prometheus/alerts.yml may only use metrics the
 * controller declares (controller/metrics.ts), with labels those metrics carry. The rules also
 * go through `promtool check rules` when promtool is installed (Debian package `prometheus`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from '../../../controller/metrics.js';

const root = new URL('../../../', import.meta.url);
const dashboardPath = fileURLToPath(new URL('docs/grafana/wfc-overview.json', root));
const rulesPath = fileURLToPath(new URL('docs/prometheus/alerts.yml', root));

/** Series name → label names it carries. Target labels Prometheus adds are allowed everywhere. */
const TARGET_LABELS = ['job', 'instance'];
function knownSeries(): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  for (const metric of createMetrics({ defaultMetrics: true }).registry.getMetricsAsArray()) {
    const { name, labelNames } = metric as unknown as { name: string; labelNames?: readonly string[] };
    const labels = [...(labelNames ?? []), ...TARGET_LABELS];
    if (metric instanceof Histogram) {
      series.set(`${name}_bucket`, new Set([...labels, 'le']));
      series.set(`${name}_sum`, new Set(labels));
      series.set(`${name}_count`, new Set(labels));
    } else {
      series.set(name, new Set(labels));
    }
  }
  series.set('up', new Set(TARGET_LABELS));
  return series;
}
const SERIES = knownSeries();

// --- a small PromQL reader: enough to find selectors, matchers and grouping labels ---

type Token = { kind: 'ident' | 'string' | 'number' | 'var' | 'punct'; text: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { while (i < expr.length && expr[i] !== '\n') i++; continue; }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === '\\' ? 2 : 1;
      tokens.push({ kind: 'string', text: expr.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (c === '[') { // range or subquery: durations or Grafana variables, no metric names
      const j = expr.indexOf(']', i);
      if (j < 0) throw new Error(`unclosed [ in ${expr}`);
      i = j + 1;
      continue;
    }
    const variable = /^\$(\{[^}]+\}|\w+)/.exec(expr.slice(i));
    if (variable) { tokens.push({ kind: 'var', text: variable[0] }); i += variable[0].length; continue; }
    const ident = /^[a-zA-Z_:][\w:]*/.exec(expr.slice(i));
    if (ident) { tokens.push({ kind: 'ident', text: ident[0] }); i += ident[0].length; continue; }
    const number = /^(\d+(\.\d+)?([eE][+-]?\d+)?[smhdwy]*)/.exec(expr.slice(i));
    if (number) { tokens.push({ kind: 'number', text: number[0] }); i += number[0].length; continue; }
    const op = /^(=~|!~|!=|==|>=|<=|[-+*/%^(){},=<>])/.exec(expr.slice(i));
    if (!op) throw new Error(`unexpected ${JSON.stringify(c)} in ${expr}`);
    tokens.push({ kind: 'punct', text: op[0] });
    i += op[0].length;
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan', 'atan2']);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

interface Selector { metric: string; labels: string[]; at: number }
interface Grouping { clause: string; labels: string[]; from: number; to: number }

/** Index of the parenthesis matching the one at `open`. */
function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]?.text === '(') depth++;
    if (tokens[i]?.text === ')' && --depth === 0) return i;
  }
  throw new Error('unbalanced parentheses');
}
function opening(tokens: Token[], close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (tokens[i]?.text === ')') depth++;
    if (tokens[i]?.text === '(' && --depth === 0) return i;
  }
  throw new Error('unbalanced parentheses');
}

function readPromQL(expr: string): { selectors: Selector[]; groupings: Grouping[] } {
  const tokens = tokenize(expr);
  const selectors: Selector[] = [];
  const groupings: Grouping[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1];
    if (t.kind === 'punct' && t.text === '{') throw new Error(`selector without a metric name in ${expr}`);
    if (t.kind !== 'ident') continue;
    if (GROUPING.has(t.text) && next?.text === '(') {
      const end = closing(tokens, i + 1);
      const labels = tokens.slice(i + 2, end).filter((x) => x.kind === 'ident').map((x) => x.text);
      // `agg by (l) (arg)` or `agg (arg) by (l)`; for on/ignoring/group_*: the whole expression.
      let from = 0;
      let to = tokens.length - 1;
      if (t.text === 'by' || t.text === 'without') {
        if (tokens[i - 1]?.text === ')') {
          to = i - 1;
          from = opening(tokens, to);
        } else {
          from = end + 1;
          to = closing(tokens, from);
        }
      }
      groupings.push({ clause: t.text, labels, from, to });
      i = end;
      continue;
    }
    // function, aggregation (`sum (...)`, `sum by (...) (...)`) or operator keyword
    if (next?.text === '(' || next?.text === 'by' || next?.text === 'without' || KEYWORDS.has(t.text)) continue;
    const labels: string[] = [];
    if (next?.text === '{') {
      let j = i + 2;
      for (; tokens[j]?.text !== '}'; j++) {
        const tok = tokens[j];
        if (!tok) throw new Error(`unclosed { in ${expr}`);
        if (tok.kind === 'ident' && /^(=~|!~|!=|=)$/.test(tokens[j + 1]?.text ?? '')) labels.push(tok.text);
      }
      selectors.push({ metric: t.text, labels, at: i });
      i = j;
      continue;
    }
    selectors.push({ metric: t.text, labels, at: i });
  }
  return { selectors, groupings };
}

/** Problems with one expression: unknown metrics, unknown labels. Empty when it is sound. */
function problems(expr: string): string[] {
  const out: string[] = [];
  const { selectors, groupings } = readPromQL(expr);
  if (selectors.length === 0) out.push('uses no metric');
  for (const s of selectors) {
    const labels = SERIES.get(s.metric);
    if (!labels) { out.push(`unknown metric ${s.metric}`); continue; }
    for (const l of s.labels) if (!labels.has(l)) out.push(`${s.metric} has no label ${l}`);
  }
  for (const g of groupings) {
    const inside = selectors.filter((s) => s.at >= g.from && s.at <= g.to);
    if (inside.length === 0) out.push(`${g.clause} (${g.labels.join(', ')}) applies to no metric`);
    for (const l of g.labels) {
      if (g.clause === 'by' || g.clause === 'without') {
        for (const s of inside) if (SERIES.get(s.metric) && !SERIES.get(s.metric)?.has(l)) out.push(`${g.clause} (${l}): ${s.metric} has no label ${l}`);
      } else if (!inside.some((s) => SERIES.get(s.metric)?.has(l))) {
        out.push(`${g.clause} (${l}): no metric has label ${l}`);
      }
    }
  }
  return out;
}

// --- the dashboard ---

interface Target { expr?: string; refId?: string; datasource?: { uid?: string } }
interface Panel { id?: number; type?: string; title?: string; gridPos?: { x: number; y: number; w: number; h: number }; targets?: Target[]; panels?: Panel[]; datasource?: { uid?: string } }
interface Variable { name: string; type: string; query?: string | { query?: string }; definition?: string }
interface Dashboard { title?: string; uid?: string; schemaVersion?: number; panels?: Panel[]; templating?: { list?: Variable[] }; __inputs?: { name: string; type: string; pluginId: string }[] }

const dashboardText = readFileSync(dashboardPath, 'utf8');
const dashboard = JSON.parse(dashboardText) as Dashboard;
const allPanels = (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
const dataPanels = allPanels.filter((p) => p.type !== 'row');
const expressions = dataPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${p.title} / ${t.refId}`, expr: t.expr ?? '' })));
const variables = dashboard.templating?.list ?? [];

describe('docs/grafana/wfc-overview.json', () => {
  it('is a Grafana dashboard of schemaVersion 38 or later', () => {
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.uid).toBe('wfc-overview');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(38);
    expect(dataPanels.length).toBeGreaterThan(10);
  });

  it('gives every panel a unique id', () => {
    const ids = allPanels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    const boxes = allPanels.map((p) => ({ title: p.title, ...p.gridPos }) as { title: string; x: number; y: number; w: number; h: number });
    for (const b of boxes) {
      expect([b.x, b.y, b.w, b.h].every((n) => Number.isInteger(n)), `${b.title} gridPos`).toBe(true);
      expect(b.w > 0 && b.h > 0 && b.x >= 0 && b.x + b.w <= 24, `${b.title} gridPos`).toBe(true);
    }
    const positions = boxes.map((b) => `${b.x},${b.y}`);
    expect(new Set(positions).size).toBe(positions.length);
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${a.title} overlaps ${b.title}`).toBe(false);
      }
    }
  });

  it('takes its Prometheus data source as the DS_PROMETHEUS input and variable', () => {
    expect(dashboard.__inputs).toContainEqual(expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }));
    expect(variables).toContainEqual(expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', query: 'prometheus' }));
    for (const p of dataPanels) {
      expect(p.datasource?.uid, p.title).toBe('${DS_PROMETHEUS}');
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe('${DS_PROMETHEUS}');
    }
  });

  it('has a tenant variable listing municipalities from the Access-Request counter', () => {
    const tenant = variables.find((v) => v.name === 'tenant');
    expect(tenant?.type).toBe('query');
    const query = typeof tenant?.query === 'string' ? tenant.query : tenant?.query?.query;
    expect(query).toBe('label_values(wfc_radius_access_requests_total, tenant)');
  });

  it('lists label values only of declared metrics and labels', () => {
    for (const v of variables.filter((x) => x.type === 'query')) {
      const query = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
      const m = /^label_values\(\s*([\w:]+)\s*,\s*(\w+)\s*\)$/.exec(query);
      expect(m, `${v.name}: ${query}`).not.toBeNull();
      expect(SERIES.get(m?.[1] ?? '')?.has(m?.[2] ?? ''), `${v.name}: ${query}`).toBe(true);
    }
  });

  it('uses only variables it defines or Grafana provides', () => {
    const defined = new Set([...variables.map((v) => v.name), '__rate_interval', '__interval', '__range']);
    const used = [...dashboardText.matchAll(/\$\{?(\w+)/g)].map((m) => m[1] as string);
    expect(used.filter((name) => !defined.has(name))).toEqual([]);
  });

  it('queries something in every panel', () => {
    for (const p of dataPanels) expect(p.targets?.length && p.targets.every((t) => t.expr), p.title).toBeTruthy();
  });

  it.each(expressions)('$where uses only declared metrics and labels', ({ expr }) => {
    expect(problems(expr)).toEqual([]);
  });
});

// --- the alerting rules ---

interface Rule { alert?: string; record?: string; expr?: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
const rules = parse(readFileSync(rulesPath, 'utf8')) as { groups?: { name: string; rules?: Rule[] }[] };
const alerts = (rules.groups ?? []).flatMap((g) => g.rules ?? []);

describe('docs/prometheus/alerts.yml', () => {
  it('groups alerting rules under unique names', () => {
    const groups = (rules.groups ?? []).map((g) => g.name);
    expect(groups.length).toBeGreaterThan(0);
    expect(new Set(groups).size).toBe(groups.length);
    const names = alerts.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it('covers what operators asked for', () => {
    const exprs = alerts.map((r) => r.expr ?? '').join('\n');
    for (const needle of ['wfc_radius_access_rejects_total', 'bad-authenticator', 'ma-invalid', 'unknown-client', 'wfc_provisioning_access_points_online', 'wfc_store_up == 0', 'wfc_radius_password_verify_queue', 'up{job="wfc"} == 0', 'wfc_redis_up == 0', 'wfc_retention_last_success_timestamp_seconds']) {
      expect(exprs).toContain(needle);
    }
  });

  it.each(alerts.map((r) => ({ name: r.alert ?? '(unnamed)', rule: r })))('$name is complete', ({ rule }) => {
    expect(rule.alert).toMatch(/^Wfc[A-Za-z]+$/);
    expect(rule.expr?.trim()).toBeTruthy();
    expect(rule.for).toMatch(/^\d+[smh]$/);
    expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary?.trim()).toBeTruthy();
    expect(rule.annotations?.description?.trim()).toBeTruthy();
  });

  it.each(alerts.map((r) => ({ name: r.alert ?? '(unnamed)', expr: r.expr ?? '' })))('$name uses only declared metrics and labels', ({ expr }) => {
    expect(problems(expr)).toEqual([]);
  });

  const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  it.skipIf(promtool.error !== undefined || promtool.status !== 0)('passes promtool check rules', () => {
    const r = spawnSync('promtool', ['check', 'rules', rulesPath], { encoding: 'utf8' });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  });
});

describe('the PromQL reader used above', () => {
  it('finds selectors, matchers and grouping labels', () => {
    const q = readPromQL('histogram_quantile(0.9, sum by (le, port) (rate(wfc_radius_request_duration_seconds_bucket{job=~"$job"}[$__rate_interval]))) > 0.5');
    expect(q.selectors.map((s) => [s.metric, s.labels])).toEqual([['wfc_radius_request_duration_seconds_bucket', ['job']]]);
    expect(q.groupings.map((g) => g.labels)).toEqual([['le', 'port']]);
  });

  it('catches unknown metrics, matchers and grouping labels', () => {
    expect(problems('rate(wfc_radius_nonexistent_total[5m])')).toEqual(['unknown metric wfc_radius_nonexistent_total']);
    expect(problems('wfc_store_up{tenant="x"}')).toEqual(['wfc_store_up has no label tenant']);
    expect(problems('sum(rate(wfc_radius_dropped_requests_total[5m])) by (tenant)')).toEqual(['by (tenant): wfc_radius_dropped_requests_total has no label tenant']);
    expect(problems('sum by (le) (rate(wfc_radius_access_requests_total[5m]))')).toEqual(['by (le): wfc_radius_access_requests_total has no label le']);
    expect(problems('up == 0')).toEqual([]);
  });
});
