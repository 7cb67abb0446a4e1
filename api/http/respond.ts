import type { ServerResponse } from 'node:http';
import { RenderedJson, type ApiResponse } from './exchange.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Writes a complete answer on a plain Node response; both HTTP lanes answer through here. A body in
 * pieces (a rendered batch) goes out corked, in one system call, as if it were one buffer.
 */
export function writeBody(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | readonly Buffer[],
): void {
  const pieces = typeof body === 'string' ? [Buffer.from(body)] : body;
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader(
    'Content-Length',
    pieces.reduce((bytes, piece) => bytes + piece.length, 0),
  );
  // end() corks the socket itself, so the headers and a single piece leave in one write.
  if (pieces.length === 1) {
    res.end(pieces[0]);
    return;
  }
  res.cork();
  for (const piece of pieces) res.write(piece);
  res.end();
}

export function writeAnswer(res: ServerResponse, answer: ApiResponse): void {
  const body = answer.body instanceof RenderedJson ? answer.body.pieces : JSON.stringify(answer.body);
  writeBody(res, answer.status, { ...answer.headers, 'Content-Type': JSON_TYPE }, body);
}
