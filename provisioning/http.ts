/**
 * Body parsing for the /v1 routes: JSON only where JSON is expected (415
 * otherwise), bounded sizes (413), parse errors as WFC_BAD_JSON naming the
 * position. The catalog's error handler (controller/http) renders them.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { AppError, E } from '../controller/errors.js';

export const JSON_LIMIT = 64 * 1024;
export const CSV_LIMIT = 2 * 1024 * 1024;

const hasBody = (req: Request): boolean => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/** A parser that first refuses bodies of another type (415). */
function typed(type: string, label: string, parser: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (hasBody(req) && !req.is(type)) throw new AppError(E.UNSUPPORTED_MEDIA_TYPE, { expected: label });
    return parser(req, res, next);
  };
}

/** JSON body parser; a body that is not JSON, or too big, never reaches the handler. */
export const json = typed('application/json', 'JSON (application/json)', express.json({ limit: JSON_LIMIT, strict: true, type: 'application/json' }));

export const csv = typed('text/csv', 'CSV (text/csv)', express.text({ limit: CSV_LIMIT, type: 'text/csv' }));

/** Route parameters, typed: express 5 gives string | string[]. */
export function param(req: Request, name: string): string {
  const v = req.params[name];
  return Array.isArray(v) ? v.join('/') : String(v);
}
