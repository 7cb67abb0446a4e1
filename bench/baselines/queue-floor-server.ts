/**
 * Baseline (c), the queue floor's front: bare node:http, one BullMQ job per request with a unique
 * id, its result awaited through one QueueEvents and a map of waiters (as api/scoring/answer-waiter.ts
 * does). What one-job-per-miss costs before any caching, validation or framework.
 */
import { createServer } from 'node:http';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { FLOOR_QUEUE, loadBaselineConfig } from './baseline-config.js';

/** As long as autocannon waits: a lost job shows as a timeout, never as a hang. */
const WAIT_MS = 10_000;

const config = loadBaselineConfig(process.env);
const queue = new Queue(FLOOR_QUEUE, { connection: new Redis(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
// From the start of the stream, not from '$' (the default): /healthz answers at once, and a job that
// completed before the first XREAD was sent would never be heard of, its request left to time out
// (it happened under CI's load, in the smoke run, which has no warm-up). Each run's queue is new.
const events = new QueueEvents(FLOOR_QUEUE, {
  connection: new Redis(config.REDIS_URL, { maxRetriesPerRequest: null }),
  prefix: config.QUEUE_PREFIX,
  lastEventId: '0-0',
});
const waiters = new Map<string, (result: unknown) => void>();
events.on('completed', ({ jobId, returnvalue }) => {
  waiters.get(jobId)?.(returnvalue);
  waiters.delete(jobId);
});

let jobs = 0;
/** Registered before the job is added, so a fast completion cannot slip past. */
async function scoreOnce(body: string): Promise<unknown> {
  const jobId = `${process.pid}-${++jobs}`;
  let timer: NodeJS.Timeout | undefined;
  const result = new Promise((resolve, reject) => {
    waiters.set(jobId, resolve);
    timer = setTimeout(() => reject(new Error('timeout')), WAIT_MS);
  });
  try {
    await queue.add('floor', { body }, { jobId, removeOnComplete: true, removeOnFail: true });
    return await result;
  } finally {
    clearTimeout(timer);
    waiters.delete(jobId);
  }
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.once('end', () => {
    scoreOnce(Buffer.concat(chunks).toString()).then(
      (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
      () => res.writeHead(504).end(),
    );
  });
});
server.listen(config.PORT, '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
