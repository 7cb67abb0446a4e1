import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import {
  ClientClosedRequest,
  DomainError,
  fromRedisReply,
  RedisFull,
  InvalidInput,
  MalformedJson,
  MethodNotAllowed,
  NotFound,
  PayloadTooLarge,
  RateLimited,
  UnsupportedMediaType,
} from '../../shared/errors.js';
import { writeBody } from './respond.js';

export const PROBLEM_JSON = 'application/problem+json; charset=utf-8';
const RETRY_UNAVAILABLE_AFTER_S = 1;

/** An RFC 9457 problem document. `code` is stable; `errors` lists field problems on 422. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

export function toProblem(error: DomainError): Problem {
  return {
    type: `urn:credit-scoring:problem:${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: error.message,
    status: error.status,
    code: error.code,
    ...(error instanceof InvalidInput ? { errors: error.problems } : {}),
  };
}

export function sendProblem(res: ServerResponse, problem: Problem, headers: Record<string, string> = {}): void {
  writeBody(res, problem.status, { ...headers, 'Content-Type': PROBLEM_JSON }, JSON.stringify(problem));
}

/** body-parser's and the router's failures carry a `type` or a 400; turn the ones a client causes into our typed errors. */
function fromBodyParser(error: unknown): DomainError | undefined {
  const { type, limit, status, expose } = (error ?? {}) as {
    type?: unknown;
    limit?: unknown;
    status?: unknown;
    expose?: unknown;
  };
  if (type === 'entity.parse.failed') return new MalformedJson({ cause: error });
  // The client went away mid-body: its doing, and nobody is left to read the answer.
  if (type === 'request.aborted') return new ClientClosedRequest({ cause: error });
  // Fewer or more bytes than the Content-Length it announced.
  if (type === 'request.size.invalid') return new MalformedJson({ cause: error });
  // A compressed body its decoder rejects (zlib's Z_DATA_ERROR, brotli's "Decompression failed").
  if (type === undefined && status === 400 && expose === true) return new MalformedJson({ cause: error });
  // A path parameter that is not valid percent-encoding (GET /jobs/%ZZ): no such job.
  if (error instanceof URIError && status === 400) return new NotFound('that job');
  if (type === 'entity.too.large') return new PayloadTooLarge(Number(limit));
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new UnsupportedMediaType(String(type));
  return undefined;
}

/**
 * The one place errors become HTTP answers, for both HTTP lanes. A DomainError answers with its own
 * status; anything else is a bug: its stack is logged and the client gets a bare 500 that echoes nothing.
 */
export function sendError(res: ServerResponse, error: unknown, log: Logger): void {
  const known = error instanceof DomainError ? error : (fromBodyParser(error) ?? fromRedisReply(error));
  if (!known) {
    log.error({ err: error }, 'unhandled error');
    sendProblem(res, { type: 'about:blank', title: 'Internal error', status: 500, code: 'INTERNAL' });
    return;
  }
  if (known.status >= 500) log.warn({ err: known }, known.message);
  // Overload, outages and limits pass: tell clients when to come back rather than let them hammer.
  const retryAfterS =
    known instanceof RateLimited || known instanceof RedisFull
      ? known.retryAfterS
      : known.status === 503
        ? RETRY_UNAVAILABLE_AFTER_S
        : undefined;
  const headers: Record<string, string> = retryAfterS === undefined ? {} : { 'Retry-After': String(retryAfterS) };
  if (known instanceof MethodNotAllowed) headers.Allow = known.allowed.join(', ');
  sendProblem(res, toProblem(known), headers);
}

export const problemMiddleware =
  (log: Logger): ErrorRequestHandler =>
  (error, _req, res, _next) =>
    sendError(res, error, log);
