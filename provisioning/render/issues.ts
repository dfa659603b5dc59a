/**
 * zod issues as the catalog's field-level details. Unlike the domain's
 * fieldIssues, an unknown key is reported under its own name (`foo`, not
 * `(root)`), so a client learns which field to remove.
 */
import type { z } from 'zod';
import type { FieldIssue } from '../../controller/domain/validation.js';

export function issuesOf(error: z.ZodError, prefix = ''): FieldIssue[] {
  const out: FieldIssue[] = [];
  const join = (path: ReadonlyArray<PropertyKey>): string => [prefix, ...path.map(String)].filter((p) => p !== '').join('.') || '(body)';
  for (const i of error.issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) out.push({ field: join([...i.path, k]), message: 'unknown field' });
    } else {
      out.push({ field: join(i.path), message: i.message });
    }
  }
  return out;
}
