import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** pino's `error` level: lines at or above it are trouble. */
const PINO_ERROR_LEVEL = 50;
const EXAMPLES = 5;
const EXAMPLE_CHARS = 300;

export interface LogTrouble {
  lines: number;
  examples: string[];
}

function isTrouble(line: string): boolean {
  if (line.trim() === '') return false;
  try {
    const parsed = JSON.parse(line) as { level?: unknown };
    return typeof parsed.level !== 'number' || parsed.level >= PINO_ERROR_LEVEL;
  } catch {
    // Not pino: a stack trace, Node's warnings (MaxListenersExceeded, unhandled rejections), console output.
    return true;
  }
}

/** Lines of every process log in `logDir` at level error or above, or not written by pino at all. */
export async function scanLogs(logDir: string): Promise<LogTrouble> {
  const trouble: LogTrouble = { lines: 0, examples: [] };
  for (const name of (await readdir(logDir)).filter((file) => file.endsWith('.log')).sort()) {
    // Line by line: a 3-minute soak logs one line per request.
    const lines = createInterface({ input: createReadStream(join(logDir, name)), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!isTrouble(line)) continue;
      trouble.lines += 1;
      if (trouble.examples.length < EXAMPLES) trouble.examples.push(`${name}: ${line.slice(0, EXAMPLE_CHARS)}`);
    }
  }
  return trouble;
}
