import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { GatewayMetrics } from './gateway-metrics.js';

/** Starts timing a request; its duration is observed when the answer is sent, with the route it resolved to. */
export function timeRequest(metrics: GatewayMetrics, res: ServerResponse, method: string, route: () => string): void {
  const startedAt = performance.now();
  res.once('finish', () =>
    metrics.observeRequest(method, route(), res.statusCode, (performance.now() - startedAt) / 1000),
  );
}

/** Express: the route label is the matched template (not the raw path: ids would explode the labels). */
export function httpMetrics(metrics: GatewayMetrics): RequestHandler {
  return (req, res, next) => {
    timeRequest(metrics, res, req.method, () => (req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched'));
    next();
  };
}
