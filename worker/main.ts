import { pino } from 'pino';
import { loadConfig } from '../shared/config.js';
import { onShutdown, runMain } from '../shared/lifecycle.js';
import { loadModel, startScoringWorker } from './scoring-worker.js';

runMain(async () => {
  const config = loadConfig(process.env);
  const log = pino({ level: config.LOG_LEVEL, base: { process: 'worker', pid: process.pid } });
  const model = await loadModel(config);
  const { close } = await startScoringWorker(config, log, model);
  onShutdown(log, config.SHUTDOWN_TIMEOUT_MS, close);
});
