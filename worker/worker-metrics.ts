import { createServer, type Server } from 'node:http';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BASIC_AUTH_CHALLENGE, isAuthorized, type AdminCredentials } from '../shared/admin-auth.js';
import { StartupError } from '../shared/errors.js';

/** A worker's Prometheus metrics, on a registry of its own. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly inferenceSeconds = new Histogram({
    name: 'scoring_model_inference_seconds',
    help: 'Time of one model run (session.run), whatever its batch size',
    buckets: [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 1],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'scoring_model_batch_size',
    help: 'Applicants per model run',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });
  readonly jobsProcessed = new Counter({
    name: 'scoring_jobs_processed_total',
    help: 'Jobs this worker finished, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

/**
 * The worker's own /metrics, behind the same basic auth as the gateway's, and /healthz. A worker
 * has no other HTTP surface. Resolves once listening.
 */
export function serveWorkerMetrics(
  metrics: WorkerMetrics,
  port: number,
  credentials: AdminCredentials,
): Promise<Server> {
  const server = createServer((req, res) => {
    // Liveness for orchestrators (compose healthcheck): says nothing, so it needs no credentials.
    if (req.url === '/healthz' && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (req.url !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    if (!isAuthorized(req.headers.authorization, credentials)) {
      res.writeHead(401, { 'WWW-Authenticate': BASIC_AUTH_CHALLENGE }).end();
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new StartupError(`worker metrics port ${port}: ${error.message}`)));
    server.listen(port, () => resolve(server));
  });
}
