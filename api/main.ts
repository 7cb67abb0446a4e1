import { setFlagsFromString } from 'node:v8';
import { pino } from 'pino';
import { loadConfig } from '../shared/config.js';
import { onShutdown, runMain } from '../shared/lifecycle.js';
import { buildGateway } from './gateway.js';
import { createHttpServer, drainHttpServer } from './http/server.js';

const STARTUP_WAIT_MS = 5000;

// A portfolio upload allocates a few short-lived objects per row. V8's allocation-site pretenuring
// sometimes judged them long-lived mid-upload and put them straight into the old generation, where
// only a full collection frees them: the gateway's RSS then grew by about 100 MB in about half the
// uploads of a million rows, against about 33 MB without it (BENCHMARKS.md, "Portfolios").
// Node does not take this flag in NODE_OPTIONS; set first thing, before anything is allocated
// per request, it governs every later collection.
setFlagsFromString('--no-allocation-site-pretenuring');

runMain(async () => {
  const config = loadConfig(process.env);
  // Written in place rather than handed to a libuv thread (pino's default): every miss logs a line at
  // info, and the hand-off woke a pool thread and then the event loop for each, about 1.7 wake-ups per
  // miss (bench/miss-anatomy.ts) on a miss path bound by CPU. No line waits in memory at exit either.
  const log = pino(
    { level: config.LOG_LEVEL, base: { process: 'api', pid: process.pid } },
    pino.destination({ dest: 1, sync: true }),
  );
  const gateway = buildGateway(config, log);
  // Listen even when Redis is late: /healthz answers and scoring answers 503 until it is reachable.
  // A queue Redis that may evict stops the gateway whenever it is found, at start-up or later.
  const ready = gateway.whenReady();
  ready.catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
  await Promise.race([ready, new Promise((resolve) => setTimeout(resolve, STARTUP_WAIT_MS))]);
  const server = createHttpServer(gateway.listener, config).listen(config.PORT, () => {
    log.info({ port: config.PORT, modelVersion: gateway.modelVersion }, 'gateway listening');
  });
  onShutdown(
    log,
    config.SHUTDOWN_TIMEOUT_MS,
    // Waiting clients get their job to poll now: a drain must not last as long as the longest wait.
    () => gateway.releaseWaits(),
    () => drainHttpServer(server),
    () => gateway.close(),
  );
});
