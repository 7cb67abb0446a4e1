import type { ServerResponse } from 'node:http';
import { RenderedJson, type ApiResponse } from './exchange.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Writes a complete answer on a plain Node response; both HTTP lanes answer through here. */
export function writeBody(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

export function writeAnswer(res: ServerResponse, answer: ApiResponse): void {
  const body = answer.body instanceof RenderedJson ? answer.body.bytes : JSON.stringify(answer.body);
  writeBody(res, answer.status, { ...answer.headers, 'Content-Type': JSON_TYPE }, body);
}
