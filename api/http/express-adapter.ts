import type { Request, RequestHandler } from 'express';
import { idOf } from '../observability/request-log.js';
import { clientOf } from './client-address.js';
import type { ApiRequest, Handler } from './exchange.js';
import { writeAnswer } from './respond.js';

function toApiRequest(req: Request): ApiRequest {
  return {
    body: req.body,
    params: req.params as Record<string, string>,
    header: (name) => req.get(name),
    // The request log assigned it (the client's X-Request-Id when usable).
    requestId: idOf(req),
    client: () => clientOf(req),
  };
}

/** Serves a plain handler through Express; thrown errors go on to the problem middleware. */
export function expressHandler(handler: Handler): RequestHandler {
  return async (req, res) => {
    writeAnswer(res, await handler(toApiRequest(req)));
  };
}
