import type { IncomingMessage, ServerResponse } from 'node:http';

/** What Node itself sends a request past its deadline (lib/_http_server.js), so clients see no difference. */
const REQUEST_TIMEOUT_RESPONSE = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

interface Deadline {
  startedAtMs: number;
  timer: NodeJS.Timeout;
  res: ServerResponse;
}

/**
 * Each request carries its own deadline under this key. Not a WeakMap: an entry whose value reaches
 * back to its key (the timer holds the request) is an ephemeron the GC must trace, which measured
 * +30 µs of CPU per request on the hot lane; a property costs nothing of the kind.
 */
const DEADLINE = Symbol('request deadline');

type TimedRequest = IncomingMessage & { [DEADLINE]?: Deadline };

/** Past its deadline a request whose body is still coming is answered 408 and its connection closed. */
function cutIfIncomplete(req: IncomingMessage, res: ServerResponse): void {
  // Node's own deadline also ends with the body: a handler may take longer to answer.
  if (req.complete) return;
  const socket = req.socket;
  // Answered already, or another response is still going out ahead of this one (pipelining): just close.
  if (!res.headersSent && res.socket === socket && socket.writable) socket.write(REQUEST_TIMEOUT_RESPONSE);
  socket.destroy();
}

/**
 * Starts the request's deadline: its body must be complete within `timeoutMs` of its headers. The
 * timer goes once the body is read or the request closes, so none outlives its request.
 */
export function startRequestDeadline(req: IncomingMessage, res: ServerResponse, timeoutMs: number): void {
  const deadline: Deadline = {
    startedAtMs: performance.now(),
    timer: setTimeout(cutIfIncomplete, timeoutMs, req, res),
    res,
  };
  (req as TimedRequest)[DEADLINE] = deadline;
  const stop = () => clearTimeout(deadline.timer);
  // `on`, not `once`: stopping twice is harmless, and a once-wrapper per request is not free.
  req.on('end', stop);
  req.on('close', stop);
}

/**
 * Gives a request that is known to be long (an accepted upload) a deadline of its own, counted from
 * the same start. Does nothing for a request the server did not start a deadline for.
 */
export function setRequestDeadline(req: IncomingMessage, timeoutMs: number): void {
  const deadline = (req as TimedRequest)[DEADLINE];
  if (!deadline) return;
  clearTimeout(deadline.timer);
  const leftMs = Math.max(0, timeoutMs - (performance.now() - deadline.startedAtMs));
  deadline.timer = setTimeout(cutIfIncomplete, leftMs, req, deadline.res);
}
