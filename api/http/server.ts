import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config } from '../../shared/config.js';

/** How often Node looks for requests past their deadlines (its default, 30 s, would let a slow client linger). */
const DEADLINE_CHECK_INTERVAL_MS = 1000;

/**
 * The gateway's HTTP server, with deadlines that keep slow clients (slowloris) from holding sockets:
 * all headers within HTTP_HEADERS_TIMEOUT_MS, the whole request within HTTP_REQUEST_TIMEOUT_MS, or
 * Node answers 408 and closes the connection. Waiting for an answer is not bounded here: that is
 * the wait budget's job (SYNC_WAIT_MS).
 */
export function createHttpServer(
  listener: RequestListener,
  config: Pick<Config, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS'>,
): Server {
  return createServer(
    {
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: DEADLINE_CHECK_INTERVAL_MS,
    },
    listener,
  );
}
