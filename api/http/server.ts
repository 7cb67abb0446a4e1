import { createServer, type RequestListener, type Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { Config } from '../../shared/config.js';
import { startRequestDeadline } from './request-deadline.js';

/** How often Node looks for headers past their deadline (its default, 30 s, would let a slow client linger). */
const DEADLINE_CHECK_INTERVAL_MS = 1000;

/**
 * The gateway's HTTP server, with deadlines that keep slow clients (slowloris) from holding sockets:
 * all headers within HTTP_HEADERS_TIMEOUT_MS (Node's own check), then the body within
 * HTTP_REQUEST_TIMEOUT_MS, or 408 and the connection closed. The body's deadline is kept per request
 * (request-deadline.ts) rather than by Node's server-wide requestTimeout, so that an accepted
 * portfolio upload can have a longer one of its own. Waiting for an answer is not bounded here: that
 * is the wait budget's job (SYNC_WAIT_MS).
 */
export function createHttpServer(
  listener: RequestListener,
  config: Pick<Config, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS'>,
): Server {
  return createServer(
    {
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: 0,
      connectionsCheckingInterval: DEADLINE_CHECK_INTERVAL_MS,
    },
    (req, res) => {
      startRequestDeadline(req, res, config.HTTP_REQUEST_TIMEOUT_MS);
      listener(req, res);
    },
  );
}

/**
 * Stops taking connections and resolves once every open one has ended. Each answer from now on
 * carries `Connection: close`, so a keep-alive client finishes its request and moves on (to another
 * replica) instead of holding this one open. Idle keep-alive sockets are not cut at once (as
 * http.Server#close would, racing a client that is sending on one): they end when the client's
 * keep-alive timer, shorter than the server's, closes them.
 */
export function drainHttpServer(server: Server): Promise<void> {
  server.prependListener('request', (_req, res) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  });
  return new Promise((resolve) => NetServer.prototype.close.call(server, () => resolve()));
}
