import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, E, validationError } from '../../../controller/errors.js';

describe('error catalog', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

  it.each(Object.values(E).map((d) => [d.code, d]))('%s is documented in docs/errors.md with its status', (code, d) => {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    expect(row, `docs/errors.md has no row for ${code}`).toBeDefined();
    expect(row).toContain(`| ${d.status} |`);
  });

  it('codes are unique', () => {
    const codes = Object.values(E).map((d) => d.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('renders message templates from params', () => {
    const e = new AppError(E.TENANT_NOT_FOUND, { tenant: 'nowhere' });
    expect(e.message).toBe('Unknown municipality: nowhere');
    expect(e.status).toBe(404);
    expect(e.toJSON()).toEqual({ error: { code: 'WFC_TENANT_NOT_FOUND', message: 'Unknown municipality: nowhere' } });
  });

  it('carries field-level issues for validation errors', () => {
    const e = validationError([{ field: 'mac', message: 'not a MAC address' }]);
    expect(e.toJSON().error.fields).toEqual([{ field: 'mac', message: 'not a MAC address' }]);
    expect(e.message).toContain('mac: not a MAC address');
  });
});
