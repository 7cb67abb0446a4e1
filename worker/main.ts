import { pino } from 'pino';
import { adminCredentials } from '../shared/admin-auth.js';
import { loadConfig } from '../shared/config.js';
import { onShutdown, runMain } from '../shared/lifecycle.js';
import { startPortfolioWorker } from './portfolio-worker.js';
import { loadModel, startScoringWorker } from './scoring-worker.js';
import { serveWorkerMetrics } from './worker-metrics.js';

runMain(async () => {
  const config = loadConfig(process.env);
  // Before the model loads: a worker that cannot guard its /metrics refuses to start at all.
  const credentials = config.WORKER_METRICS_PORT > 0 ? adminCredentials(config) : undefined;
  const log = pino({ level: config.LOG_LEVEL, base: { process: 'worker', pid: process.pid } });
  const model = await loadModel(config);
  const { close, metrics } = await startScoringWorker(config, log, model);

  const portfolios = await startPortfolioWorker(config, log, model);

  const steps: Array<() => unknown> = [portfolios.close, close];
  if (credentials) {
    if (credentials.generated) log.warn('no ADMIN_PASSWORD set: /metrics stays locked until one is');
    const server = await serveWorkerMetrics(metrics, config.WORKER_METRICS_PORT, credentials);
    log.info({ port: config.WORKER_METRICS_PORT }, 'worker metrics listening');
    steps.unshift(() => new Promise((resolve) => server.close(resolve)));
  }
  onShutdown(log, config.SHUTDOWN_TIMEOUT_MS, ...steps);
});
