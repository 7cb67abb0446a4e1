import { request, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { CSV_COLUMNS } from './support.js';

/** How a request ended: its final answer, or the connection closed without one. */
export type Outcome =
  { status: number; headers: IncomingHttpHeaders; body: string } | { status: 'closed'; error: string };

/** CSV lines of valid rows `loan-<from>`…, each an applicant of age 30 + its index (ages repeat past 75). */
export function csvLines(from: number, count: number): string {
  return Array.from(
    { length: count },
    (_, i) => `loan-${from + i},0.25,${30 + ((from + i) % 45)},yes,unemployed,male: single\n`,
  ).join('');
}

export const CSV_HEADER_LINE = `id,${CSV_COLUMNS.join(',')}\n`;

/** A CSV upload to POST /portfolios, its body still to be sent. */
export function slowCsvUpload(url: string): SlowPost {
  return new SlowPost(url, '/portfolios', { 'content-type': 'text/csv', 'transfer-encoding': 'chunked' });
}

/**
 * A POST sent the way a slow client sends it: a raw node:http request whose body is written piece
 * by piece (chunked, unless the headers give a Content-Length), so the test decides when each part
 * leaves. node:http hands 1xx answers to 'information', which is where a 103 arrives.
 */
export class SlowPost {
  /** The 103's headers, once it arrives. */
  readonly early: Promise<IncomingHttpHeaders>;
  readonly outcome: Promise<Outcome>;
  private readonly request: ClientRequest;
  private timer: NodeJS.Timeout | undefined;

  constructor(url: string, path: string, headers: Record<string, string>) {
    this.request = request(`${url}${path}`, { method: 'POST', headers });
    this.early = new Promise((resolve) => this.request.once('information', (info) => resolve(info.headers)));
    this.outcome = new Promise((resolve) => {
      this.request.once('response', (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (text: string) => (body += text));
        response.once('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
        response.once('error', (error) => resolve({ status: 'closed', error: error.message }));
      });
      this.request.once('error', (error) => resolve({ status: 'closed', error: error.message }));
    });
    void this.outcome.then(() => this.stop());
  }

  send(text: string): void {
    if (!this.request.destroyed) this.request.write(text);
  }

  /** Sends `pieces` one every `everyMs`, then ends the body (unless the connection is gone by then). */
  stream(pieces: string[], everyMs: number): void {
    let next = 0;
    this.timer = setInterval(() => {
      if (next < pieces.length) this.send(pieces[next++]!);
      else this.end();
    }, everyMs);
  }

  end(): void {
    this.stop();
    if (!this.request.destroyed) this.request.end();
  }

  private stop(): void {
    clearInterval(this.timer);
  }
}
