import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { ClientClosedRequest, InvalidInput, LineTooLong, MalformedCsv } from '../../shared/errors.js';

/** One input row: its line in the file and its fields (strings from CSV, any JSON from NDJSON). */
export interface RawRow {
  line: number;
  fields: Record<string, unknown> | undefined;
  /** Why the row could not even be read as an object (bad JSON, wrong column count); `fields` then holds its id at most. */
  unreadable?: string;
  /** CSV only: every field is a string, so numbers still need converting. */
  fromCsv: boolean;
}

export type PortfolioFormat = 'csv' | 'ndjson';

/** The longest row taken: a line without end must not grow the gateway's memory. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * The lines of an NDJSON body, a batch per piece of the body, read as the consumer asks for them
 * (so the request is paused while it is busy), each decoded alone: a UTF-8 sequence never holds
 * the byte of a line break. Throws LineTooLong past MAX_LINE_BYTES.
 */
async function* ndjsonLineBatches(body: IncomingMessage): AsyncGenerator<string[]> {
  let rest: Buffer = Buffer.alloc(0);
  // Stopping early (a line too long) leaves the request to the route, which still has to answer on it.
  for await (const piece of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    const bytes: Buffer = rest.length > 0 ? Buffer.concat([rest, piece]) : piece;
    const lines: string[] = [];
    let start = 0;
    for (let end = bytes.indexOf(10); end !== -1; end = bytes.indexOf(10, start)) {
      lines.push(bytes.toString('utf8', start, end));
      start = end + 1;
    }
    rest = bytes.subarray(start);
    if (rest.length > MAX_LINE_BYTES) throw new LineTooLong(MAX_LINE_BYTES);
    if (lines.length > 0) yield lines;
  }
  if (rest.length > 0) yield [rest.toString('utf8')];
}

/**
 * A parser's records in the batches it has them ready (a piece of the body's worth), so a row
 * costs no promise of its own: an async iterator per record made the rows of a piece outlive
 * several young-generation collections, and the gateway's heap grow with them.
 */
async function* recordBatches(parser: Readable): AsyncGenerator<string[][]> {
  // An error is read from `parser.errored`; this listener keeps one that comes while the consumer
  // is busy (a client cut off mid-chunk) from being an unhandled 'error' event, which ends the process.
  parser.on('error', () => undefined);
  try {
    for (;;) {
      const batch: string[][] = [];
      for (let record = parser.read() as string[] | null; record !== null; record = parser.read() as string[] | null)
        batch.push(record);
      if (batch.length > 0) yield batch;
      else if (parser.errored) throw parser.errored;
      else if (parser.readableEnded || parser.destroyed) return;
      else await readableOrEnd(parser);
    }
  } finally {
    // A consumer that stops early (too many rows) leaves nothing fed to a parser nobody reads.
    if (!parser.readableEnded) parser.destroy();
  }
}

/** Resolves when the stream has records to read or has ended; rejects with its error. */
function readableOrEnd(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      for (const event of ['readable', 'end', 'close']) stream.off(event, done);
      stream.off('error', settle);
      if (error) reject(error);
      else resolve();
    };
    const done = () => settle();
    for (const event of ['readable', 'end', 'close']) stream.once(event, done);
    stream.once('error', settle);
  });
}

/**
 * The rows of an upload, in batches as they arrive: csv-parse for CSV (streaming, RFC 4180
 * quoting; line numbers count multi-line fields), a line splitter for NDJSON. Both pause the
 * request while the consumer is busy, so memory holds a socket buffer, not the file.
 * Throws InvalidInput for a CSV header that does not name the fields, MalformedJson for broken CSV,
 * ClientClosedRequest when the body ends before the client finished sending it (a cut connection
 * must never pass for the end of the file).
 */
export async function* readRows(
  body: IncomingMessage,
  format: PortfolioFormat,
  columns: { required: readonly string[]; optional: readonly string[] },
): AsyncGenerator<RawRow[]> {
  if (format === 'ndjson') {
    let line = 0;
    for await (const texts of ndjsonLineBatches(body)) {
      const rows: RawRow[] = [];
      for (const text of texts) {
        line += 1;
        if (text.trim() !== '') rows.push(ndjsonRow(line, text));
      }
      if (rows.length > 0) yield rows;
    }
    if (!body.complete) throw new ClientClosedRequest();
    return;
  }
  // No `info`: csv-parse's per-record info object halves its speed. Lines are counted here instead:
  // a record takes one line plus the line breaks inside its quoted fields; blank lines come through
  // as one empty cell and are skipped (counted) here.
  const parser = body.pipe(parse({ bom: true, trim: true, relax_column_count: true, max_record_size: MAX_LINE_BYTES }));
  // pipe() does not pass a cut connection on: without this the parser would wait for more forever.
  body.once('close', () => {
    if (!body.complete) parser.destroy(new ClientClosedRequest());
  });
  let header: string[] | undefined;
  let lastLine = 0;
  try {
    for await (const records of recordBatches(parser)) {
      const rows: RawRow[] = [];
      for (const record of records) {
        const line = lastLine + 1;
        lastLine = line + extraLines(record);
        if (record.length === 1 && record[0] === '') continue;
        if (!header) {
          header = checkHeader(record, columns);
          continue;
        }
        rows.push(csvRow(line, record, header));
      }
      if (rows.length > 0) yield rows;
    }
  } catch (error) {
    if (error instanceof InvalidInput || error instanceof ClientClosedRequest) throw error;
    if ((error as { code?: string }).code === 'CSV_MAX_RECORD_SIZE') throw new LineTooLong(MAX_LINE_BYTES);
    const { code, lines } = error as { code?: string; lines?: number };
    // The parser's own message may quote the row: give its code and line only.
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      throw new MalformedCsv(`${code} at line ${lines ?? '?'}`, { cause: error });
    }
    throw error;
  }
  if (!body.complete) throw new ClientClosedRequest();
  if (!header) throw new InvalidInput([{ path: '/header', message: 'the CSV has no header row' }]);
}

function ndjsonRow(line: number, text: string): RawRow {
  let fields: unknown;
  try {
    fields = JSON.parse(text);
  } catch {
    return { line, fields: undefined, unreadable: 'not valid JSON', fromCsv: false };
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
    return { line, fields: undefined, unreadable: 'not a JSON object', fromCsv: false };
  return { line, fields: fields as Record<string, unknown>, fromCsv: false };
}

function csvRow(line: number, record: string[], header: string[]): RawRow {
  if (record.length !== header.length) {
    const id = record[header.indexOf('id')];
    return {
      line,
      fields: id === undefined ? undefined : { id },
      unreadable: `expected ${header.length} columns, got ${record.length}`,
      fromCsv: true,
    };
  }
  const fields: Record<string, string> = {};
  for (let i = 0; i < header.length; i++) fields[header[i]!] = record[i]!;
  return { line, fields, fromCsv: true };
}

/** Line breaks inside a record's quoted fields. */
function extraLines(record: readonly string[]): number {
  let breaks = 0;
  for (const cell of record) {
    for (let at = cell.indexOf('\n'); at !== -1; at = cell.indexOf('\n', at + 1)) breaks += 1;
  }
  return breaks;
}

function checkHeader(
  header: string[],
  columns: { required: readonly string[]; optional: readonly string[] },
): string[] {
  const known = new Set([...columns.required, ...columns.optional]);
  const problems = [
    ...header.filter((name) => !known.has(name)).map((name) => ({ path: `/header/${name}`, message: 'Unknown field' })),
    ...columns.required
      .filter((name) => !header.includes(name))
      .map((name) => ({ path: `/header/${name}`, message: 'Missing column' })),
    ...header
      .filter((name, i) => header.indexOf(name) !== i)
      .map((name) => ({ path: `/header/${name}`, message: 'Column named twice' })),
  ];
  if (problems.length > 0) throw new InvalidInput(problems);
  return header;
}
