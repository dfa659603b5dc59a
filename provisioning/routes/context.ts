import type { RequestHandler } from 'express';

/** The authentication middleware each group of routes runs behind. */
export interface RouteContext {
  readonly api: RequestHandler;
  readonly device: RequestHandler;
}
