import { Router } from 'express';
import { isAuthorized, type AdminCredentials } from '../../shared/admin-auth.js';
import { requireAdmin } from '../admin/require-admin.js';
import { sendProblem } from '../http/problem.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { cachedReadiness, type Readiness } from '../observability/readiness.js';

export interface OperationsDeps {
  metrics: GatewayMetrics;
  readiness: () => Promise<Readiness>;
  credentials: AdminCredentials;
}

/** /healthz (the process answers), /readyz (it can score; checked at most once a second), /metrics (Prometheus, behind admin auth). */
export function operationsRoutes({ metrics, readiness, credentials }: OperationsDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const verdict = cachedReadiness(readiness);
  // Anyone may ask whether the gateway is ready; only an operator learns why not (the reason names
  // connections and errors) or how many workers there are.
  router.get('/readyz', async (req, res) => {
    const state = await verdict();
    const operator = isAuthorized(req.get('authorization'), credentials);
    if (state.ready) {
      res.json(operator ? { status: 'ready', workers: state.workers } : { status: 'ready' });
      return;
    }
    const reason = operator ? { detail: state.reason } : {};
    sendProblem(res, { type: 'about:blank', title: 'Not ready', status: 503, code: 'NOT_READY', ...reason });
  });
  // Every method below /metrics is behind the credentials, so not even Express's automatic OPTIONS answers without them.
  router.use('/metrics', requireAdmin(credentials));
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
