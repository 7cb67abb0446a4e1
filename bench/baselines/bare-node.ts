/**
 * Baseline (a), the floor: bare node:http and one HGETALL of a pre-written hash per request, the
 * body read but not parsed. Nothing serving a cached answer over HTTP from Redis can do less.
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { loadBaselineConfig } from './baseline-config.js';
import { fromFloorHash } from './floor-score.js';

const config = loadBaselineConfig(process.env);
const redis = new Redis(config.REDIS_URL);
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, JSON_TYPE).end('{"status":"ok"}');
    return;
  }
  req.resume();
  req.once('end', () => {
    redis.hgetall(config.FLOOR_KEY).then(
      (hash) => {
        const score = fromFloorHash(hash);
        if (score) res.writeHead(200, JSON_TYPE).end(JSON.stringify(score));
        else res.writeHead(500).end();
      },
      () => res.writeHead(503).end(),
    );
  });
});
server.listen(config.PORT, '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
