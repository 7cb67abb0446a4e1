import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Level, Logger } from 'pino';
import { pinoHttp } from 'pino-http';

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

/**
 * One log line per request with its id, method, route template, status and time (cache hits at debug level). Bodies and headers are never
 * logged: bodies are applicant data, headers may hold credentials.
 */
export function requestLogger(log: Logger) {
  return pinoHttp({
    logger: log,
    genReqId: requestId,
    // Our serializers read the raw objects: wrapped, each request would first be copied into
    // pino-std-serializers' full request object (headers, URL, address) only for two fields.
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    // The route joins the line itself, at the end: as customProps it cost two child loggers per request.
    customSuccessObject: (req: IncomingMessage, _res: ServerResponse, line: object) => ({
      ...line,
      route: routeTemplate(req),
    }),
    customErrorObject: (req: IncomingMessage, _res: ServerResponse, _error: Error, line: object) => ({
      ...line,
      route: routeTemplate(req),
    }),
    customLogLevel: (_req, res, error) => {
      const level = levelOf(res, error);
      // 'silent' makes pino-http stop before it builds the line (route template included), which the
      // logger would drop anyway: most lines are cache hits at debug level, usually off.
      return log.isLevelEnabled(level) ? level : 'silent';
    },
  });
}

function levelOf(res: ServerResponse, error: Error | undefined): Level {
  // Error level is for bugs (a bare 500). A 502 or 503 is the service's own answer (scoring failed,
  // not ready, Redis away or full): worth a warning, and no client can raise an error line with it.
  if (error || res.statusCode === 500) return 'error';
  if (res.statusCode >= 500) return 'warn';
  // Answers from the cache are the bulk of the traffic and say nothing new: debug, not info.
  return res.statusCode < 300 && res.getHeader('x-cache') === 'HIT' ? 'debug' : 'info';
}
