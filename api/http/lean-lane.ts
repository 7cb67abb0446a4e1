import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { timeRequest } from '../observability/http-metrics.js';
import { idOf } from '../observability/request-log.js';
import { clientOf } from './client-address.js';
import type { Handler } from './exchange.js';
import { sendError } from './problem.js';
import { writeAnswer } from './respond.js';

/** A hot route: its full path (BASE_PATH included), the middleware it runs, and its handler. */
export interface LeanRoute {
  path: string;
  middleware: RequestHandler[];
  handler: Handler;
}

type Next = (error?: unknown) => void;

/** Runs Express-style middleware on plain Node objects, in order, stopping at the first error. */
function runMiddleware(middleware: RequestHandler[], req: IncomingMessage, res: ServerResponse, done: Next): void {
  let index = 0;
  const next: Next = (error) => {
    const step = middleware[index++];
    if (error !== undefined || !step) return done(error);
    try {
      // Express middleware is typed for Express's req/res; these steps use only what Node provides.
      (step as unknown as (req: IncomingMessage, res: ServerResponse, next: Next) => void)(req, res, next);
    } catch (thrown) {
      done(thrown);
    }
  };
  next();
}

/**
 * The hot scoring routes served without Express's per-request machinery (router chain, req/res
 * prototypes, res.json): the same middleware functions (request log, security headers, JSON body)
 * and the same handlers as the Express routes, on plain Node objects. Anything else, including a
 * variant of a hot path (`/decisions/`, a query string is fine) or a compressed body, goes to Express,
 * which answers it the same way.
 */
export function withLeanLane(
  express: RequestListener,
  routes: readonly LeanRoute[],
  metrics: GatewayMetrics,
  log: Logger,
): RequestListener {
  const byPath = new Map(routes.map((route) => [route.path, route]));
  return (req, res) => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const route =
      req.method === 'POST' && req.headers['content-encoding'] === undefined
        ? byPath.get(query < 0 ? url : url.slice(0, query))
        : undefined;
    if (!route) return express(req, res);

    timeRequest(metrics, res, 'POST', () => route.path);
    runMiddleware(route.middleware, req, res, (error) => {
      if (error !== undefined) return sendError(res, error, log);
      const body = (req as IncomingMessage & { body?: unknown }).body;
      route
        .handler({
          body,
          params: {},
          header: (name) => headerValue(req, name),
          requestId: idOf(req),
          client: () => clientOf(req),
        })
        .then((answer) => writeAnswer(res, answer))
        .catch((thrown: unknown) => sendError(res, thrown, log));
    });
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
