import type { Logger } from 'pino';
import { ConfigError, StartupError } from './errors.js';

/**
 * Runs a process's main function. Config and start-up errors print one line and exit 1; anything
 * else is a bug and prints its stack.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError || error instanceof StartupError) console.error(error.message);
    else console.error(error);
    process.exit(1);
  });
}

/**
 * On SIGTERM or SIGINT, runs the steps in order and exits 0; exits 1 if they take longer than
 * `timeoutMs`. A second signal while shutting down is ignored, so the steps run once.
 */
export function onShutdown(log: Logger, timeoutMs: number, ...steps: Array<() => unknown>): void {
  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, timeoutMs).unref();
    try {
      for (const step of steps) await step();
      log.info('shut down cleanly');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
