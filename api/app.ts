import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { AdminCredentials } from '../shared/admin-auth.js';
import type { Config } from '../shared/config.js';
import { BOARD_PATH, queueBoard } from './admin/queue-board.js';
import { requireAdmin } from './admin/require-admin.js';
import { withoutOutsideFonts } from './admin/without-outside-fonts.js';
import { docsRoutes } from './docs/docs-routes.js';
import { NotFound } from '../shared/errors.js';
import { identifyClient } from './http/client-address.js';
import { jsonBody } from './http/json-body.js';
import { apiHeaders, helmetHeaders } from './http/security-headers.js';
import { withLeanLane } from './http/lean-lane.js';
import { methodNotAllowed } from './http/method-not-allowed.js';
import { problemMiddleware } from './http/problem.js';
import type { JobTracker } from './jobs/job-tracker.js';
import { portfolioBoardAdapter } from './portfolios/portfolio-board.js';
import type { Portfolios } from './portfolios/portfolio-wiring.js';
import type { GatewayMetrics } from './observability/gateway-metrics.js';
import { httpMetrics } from './observability/http-metrics.js';
import type { Readiness } from './observability/readiness.js';
import { requestLogger } from './observability/request-log.js';
import { jobRoutes } from './routes/jobs.js';
import { landingRoutes } from './routes/landing.js';
import { operationsRoutes } from './routes/operations.js';
import { portfolioRoutes } from './routes/portfolios.js';
import { scoringEndpoints, scoringRoutes } from './routes/scoring.js';
import type { ScoreQueue } from '../shared/queues.js';
import type { Scorer } from './scoring/scorer.js';

export type AppConfig = Pick<
  Config,
  | 'BASE_PATH'
  | 'SYNC_WAIT_MS'
  | 'SYNC_WAIT_MAX_MS'
  | 'BATCH_MAX_ITEMS'
  | 'ADMIN_READ_ONLY'
  | 'HTTP_LEAN_LANE'
  | 'TRUST_PROXY_HOPS'
  | 'PUBLIC_HTTPS'
  | 'PORTFOLIO_IDLE_TIMEOUT_MS'
  | 'PORTFOLIO_UPLOAD_TIMEOUT_MS'
> & { modelDir: string };

export interface AppDeps {
  scorer: Scorer;
  tracker: JobTracker;
  /** Every queue shard, each listed on the board. */
  queues: readonly ScoreQueue[];
  portfolios: Pick<Portfolios, 'intake' | 'service' | 'queue'>;
  metrics: GatewayMetrics;
  readiness: () => Promise<Readiness>;
  credentials: AdminCredentials;
  config: AppConfig;
  log: Logger;
}

export interface GatewayHttp {
  /** Everything, through Express. */
  app: Express;
  /** What the server listens with: the lean lane in front of the app when HTTP_LEAN_LANE is on. */
  listener: RequestListener;
}

/**
 * The gateway's HTTP surface, without a socket: tests and main.ts both build it here. Everything is
 * served under BASE_PATH, as a reverse proxy forwards it.
 */
export function createApp(deps: AppDeps): GatewayHttp {
  const { scorer, tracker, queues, metrics, credentials, config, log } = deps;
  // One instance of each, shared by both lanes: the same log lines, ids and headers either way.
  const logRequest = requestLogger(log);
  const securityHeaders = apiHeaders(config);
  const pageHeaders = helmetHeaders(config);
  const client = identifyClient(config.TRUST_PROXY_HOPS);
  const endpoints = scoringEndpoints(scorer, metrics, config);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(logRequest, httpMetrics(metrics), securityHeaders, client);

  const root = express.Router();
  root.use(operationsRoutes({ metrics, readiness: deps.readiness, credentials }));
  root.use(landingRoutes(config.BASE_PATH, pageHeaders));
  root.use(
    docsRoutes({
      basePath: config.BASE_PATH,
      batchMaxItems: config.BATCH_MAX_ITEMS,
      modelDir: config.modelDir,
      tls: config,
    }),
  );
  root.use(
    BOARD_PATH,
    pageHeaders,
    requireAdmin(credentials),
    withoutOutsideFonts(),
    queueBoard(queues, config.BASE_PATH, config.ADMIN_READ_ONLY, [
      portfolioBoardAdapter(deps.portfolios.queue, config.ADMIN_READ_ONLY),
    ]),
  );
  root.use(scoringRoutes(endpoints));
  root.use(jobRoutes(scorer, tracker, config));
  root.use(
    portfolioRoutes(deps.portfolios.intake, deps.portfolios.service, {
      basePath: config.BASE_PATH,
      idleTimeoutMs: config.PORTFOLIO_IDLE_TIMEOUT_MS,
      uploadTimeoutMs: config.PORTFOLIO_UPLOAD_TIMEOUT_MS,
    }),
  );
  root.use(methodNotAllowed(root));
  app.use(config.BASE_PATH || '/', root);

  app.use((req, _res, next) => next(new NotFound(`${req.method} ${req.path}`)));
  app.use(problemMiddleware(log));

  if (!config.HTTP_LEAN_LANE) return { app, listener: app };
  const hot = endpoints
    .filter((endpoint) => endpoint.hot)
    .map(({ path, bodyLimitBytes, handler }) => ({
      path: `${config.BASE_PATH}${path}`,
      middleware: [logRequest, securityHeaders, client, ...jsonBody(bodyLimitBytes)],
      handler,
    }));
  return { app, listener: withLeanLane(app, hot, metrics, log) };
}
