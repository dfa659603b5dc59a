/**
 * Turns errors into the catalog's JSON responses: `{ error: { code, message, fields? } }`.
 * Unknown errors become WFC_INTERNAL without leaking their text.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, E, isAppError } from '../errors.js';
import type { Logger } from '../log.js';

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new AppError(E.NOT_FOUND, { path: req.path }));
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = toAppError(err);
    if (e.status >= 500) log.error({ err, path: req.path }, 'request failed');
    res.status(e.status).type('application/json').send(JSON.stringify(e.toJSON()));
  };
}

/** Body-parser's errors carry a `type`; map the ones a client causes. */
function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const t = (err as { type?: string } | null)?.type;
  if (t === 'entity.parse.failed') return new AppError(E.BAD_JSON);
  if (t === 'entity.too.large') return new AppError(E.BODY_TOO_LARGE, { limit: String((err as { limit?: number }).limit ?? '') + ' bytes' });
  return new AppError(E.INTERNAL);
}
