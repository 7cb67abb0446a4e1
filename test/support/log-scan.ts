/** pino's numeric level of `error`: lines at or above it are failures, not warnings. */
const PINO_ERROR_LEVEL = 50;

interface PinoLine {
  level?: unknown;
  msg?: unknown;
  res?: { statusCode?: unknown };
}

/**
 * Lines of a process's output that signal trouble: anything that is not a pino line at all (stack
 * traces, Node's unhandled-rejection and uncaught-exception reports, console.error), and pino lines
 * at level error or fatal, except access-log lines of answers the service gives by design (a 503
 * while Redis is away is logged as "request errored" at error level): an access-log line is trouble
 * only for a 500, which the gateway also logs as "unhandled error".
 */
export function troubleLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      let parsed: PinoLine;
      try {
        parsed = JSON.parse(line) as PinoLine;
      } catch {
        return true;
      }
      if (typeof parsed.level !== 'number') return true;
      if (parsed.level < PINO_ERROR_LEVEL) return false;
      const status = parsed.res?.statusCode;
      return typeof status !== 'number' || status === 500;
    });
}
