import { Router } from 'express';
import type { AdminCredentials } from '../../shared/admin-auth.js';
import { requireAdmin } from '../admin/require-admin.js';
import { sendProblem } from '../http/problem.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Readiness } from '../observability/readiness.js';

export interface OperationsDeps {
  metrics: GatewayMetrics;
  readiness: () => Promise<Readiness>;
  credentials: AdminCredentials;
}

/** /healthz (the process answers), /readyz (it can score), /metrics (Prometheus, behind admin auth). */
export function operationsRoutes({ metrics, readiness, credentials }: OperationsDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const state = await readiness();
    if (state.ready) {
      res.json({ status: 'ready', workers: state.workers });
      return;
    }
    sendProblem(res, { type: 'about:blank', title: 'Not ready', status: 503, code: 'NOT_READY', detail: state.reason });
  });
  // Every method below /metrics is behind the credentials, so not even Express's automatic OPTIONS answers without them.
  router.use('/metrics', requireAdmin(credentials));
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
