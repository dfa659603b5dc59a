import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DROP_REASONS } from '../../../radius-server/engine.js';

describe('docs/radius.md', () => {
  const doc = readFileSync(new URL('../../../docs/radius.md', import.meta.url), 'utf8');
  it.each(Object.keys(DROP_REASONS))('documents the drop reason %s', (reason) => {
    expect(doc).toContain(`| \`${reason}\` |`);
  });
});
