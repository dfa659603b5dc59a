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

/** A legal hold names up to 10 000 session ids: more than JSON_LIMIT allows. */
export const HOLD_JSON_LIMIT = 1024 * 1024;

/** JSON body parser with a larger limit, for the few bodies that list many ids. */
export function jsonUpTo(limit: number): RequestHandler {
  return typed('application/json', 'JSON (application/json)', express.json({ limit, strict: true, type: 'application/json' }));
}

/** A gateway's NAT log for a day or a week of a busy site: tens of thousands of lines. */
export const NAT_LOG_LIMIT = 20 * 1024 * 1024;

const natLogText = express.text({ limit: NAT_LOG_LIMIT, type: ['text/csv', 'application/json'] });

/**
 * A NAT log as text, CSV or JSON; the format is the request's Content-Type,
 * anything else is refused (415). The service parses and checks each line.
 */
export const natLog: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  if (natLogFormat(req) === null) throw new AppError(E.UNSUPPORTED_MEDIA_TYPE, { expected: 'CSV (text/csv) or JSON (application/json)' });
  return natLogText(req, res, next);
};

export function natLogFormat(req: Request): 'csv' | 'json' | null {
  return req.is('text/csv') ? 'csv' : req.is('application/json') ? 'json' : null;
}
