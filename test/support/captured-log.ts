import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** pino's numeric level of `error`: lines at or above it are failures, not warnings. */
export const PINO_ERROR_LEVEL = 50;

/** One pino line as the gateway writes it (the fields tests read). */
export interface LogLine {
  level: number;
  msg?: string;
  req?: { id?: string };
  res?: { statusCode?: number };
}

/** A logger at `debug` whose lines a test reads back, parsed, in order. */
export function capturedLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}
