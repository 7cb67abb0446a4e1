import type { RequestHandler } from 'express';
import type { GatewayMetrics } from './gateway-metrics.js';

/** Observes every request's duration, labelled by its route template (not the raw path: ids would explode the labels). */
export function httpMetrics(metrics: GatewayMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.once('finish', () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ route, status: String(res.statusCode) });
    });
    next();
  };
}
