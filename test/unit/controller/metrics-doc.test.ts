import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../controller/metrics.js';

describe('docs/metrics.md', () => {
  const doc = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
  const names = createMetrics({ defaultMetrics: false })
    .registry.getMetricsAsArray()
    .map((m) => (m as unknown as { name: string }).name);

  it('declares metrics', () => expect(names.length).toBeGreaterThan(10));
  it.each(names)('documents %s', (name) => {
    expect(name.startsWith('wfc_')).toBe(true);
    expect(doc, `${name} is not documented in docs/metrics.md`).toContain(`| \`${name}\` |`);
  });
});
