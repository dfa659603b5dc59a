import type { z } from 'zod';
import { fieldIssues } from '../domain/validation.js';
import { validationError } from '../errors.js';

/** Parses input with a domain schema or throws the catalog's validation error with field-level issues. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw validationError(fieldIssues(r.error));
  return r.data;
}
