import type { ServerResponse } from 'node:http';
import { RenderedJson, type ApiResponse } from './exchange.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Writes a complete answer on a plain Node response; both HTTP lanes answer through here. A body in
 * pieces goes out corked, in one system call, as if it were one buffer.
 */
export function writeBody(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | readonly Buffer[],
): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (typeof body === 'string' || body.length === 1) {
    const whole = typeof body === 'string' ? body : body[0]!;
    res.setHeader('Content-Length', Buffer.byteLength(whole));
    res.end(whole);
    return;
  }
  res.setHeader(
    'Content-Length',
    body.reduce((bytes, piece) => bytes + piece.length, 0),
  );
  res.cork();
  for (const piece of body) res.write(piece);
  res.end();
}

export function writeAnswer(res: ServerResponse, answer: ApiResponse): void {
  const body = answer.body instanceof RenderedJson ? answer.body.pieces : JSON.stringify(answer.body);
  writeBody(res, answer.status, { ...answer.headers, 'Content-Type': JSON_TYPE }, body);
}
