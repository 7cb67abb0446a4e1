import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Level, Logger } from 'pino';

/** A client's X-Request-Id is kept when it is a sane token; anything else is replaced, never echoed. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the client's X-Request-Id when usable, else a new UUID; echoed in the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

type RoutedRequest = IncomingMessage & { route?: { path: unknown }; baseUrl?: string; originalUrl?: string };

/**
 * The route a request was served by, as a template (`/jobs/:id`): raw URLs carry job ids and
 * whatever a client puts in a path or query, which do not belong in logs. Express marks its
 * requests (originalUrl) and names the matched route; a request no route matched logs
 * `(unmatched)`. The lean lane serves only fixed paths, so there the path is the template.
 */
function routeTemplate(req: IncomingMessage): string {
  const routed = req as RoutedRequest;
  if (routed.originalUrl !== undefined) {
    return routed.route ? `${routed.baseUrl ?? ''}${String(routed.route.path)}` : '(unmatched)';
  }
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

type Next = () => void;
type Identified = IncomingMessage & { id?: string };

/** The id requestLogger gave the request (its first middleware on both lanes). */
export function idOf(req: IncomingMessage): string {
  return String((req as Identified).id);
}

/**
 * One log line per request with its id, method, route template, status and time (cache hits at
 * debug level), in pino-http's shape: `req: {id, method}`, `res: {statusCode}`, `responseTime` (ms),
 * `route`, then "request completed" (or "request aborted" when the client left first), or at error
 * level `err` and "request errored". Bodies and headers are never logged: bodies are applicant data,
 * headers may hold credentials. Written here rather than with pino-http, which made a child logger
 * and ran the standard request serializer (every header copied) for each request before knowing
 * whether its line would be written: most lines are cache hits at debug level, usually off, and
 * their request pays now only for its id and three listeners.
 */
export function requestLogger(log: Logger) {
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const identified = req as Identified;
    identified.id ||= requestId(req, res);
    const startedAt = Date.now();
    const complete = (error?: Error) => {
      res.removeListener('close', complete);
      res.removeListener('finish', complete);
      res.removeListener('error', complete);
      const level = levelOf(res, error);
      if (!log.isLevelEnabled(level)) return;
      const line = log.child({ req: { id: identified.id, method: req.method } });
      const common = { res: { statusCode: res.statusCode } };
      const responseTime = Date.now() - startedAt;
      const route = routeTemplate(req);
      if (error || res.statusCode >= 500) {
        const err = error ?? new Error(`failed with status code ${res.statusCode}`);
        line[level]({ ...common, err, responseTime, route }, 'request errored');
        return;
      }
      const message = !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted';
      line[level]({ ...common, responseTime, route }, message);
    };
    res.on('close', complete);
    res.on('finish', complete);
    res.on('error', complete);
    next();
  };
}

function levelOf(res: ServerResponse, error: Error | undefined): Level {
  // Error level is for bugs (a bare 500). A 502 or 503 is the service's own answer (scoring failed,
  // not ready, Redis away or full): worth a warning, and no client can raise an error line with it.
  if (error || res.statusCode === 500) return 'error';
  if (res.statusCode >= 500) return 'warn';
  // Answers from the cache are the bulk of the traffic and say nothing new: debug, not info.
  return res.statusCode < 300 && res.getHeader('x-cache') === 'HIT' ? 'debug' : 'info';
}
