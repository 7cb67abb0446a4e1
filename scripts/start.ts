/**
 * `npm start`: the whole service on one machine. Starts a local Redis when none answers at
 * REDIS_URL (and stops it on exit), then the gateway and WORKERS worker processes, kept running by
 * a supervisor. Production runs the two processes directly (Procfile, docker-compose.yml); this is
 * for a laptop or a demo.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../shared/config.js';
import { StartupError } from '../shared/errors.js';
import { runMain } from '../shared/lifecycle.js';
import { isLocalUrl, isRedisReachable, isRedisServerInstalled, startLocalRedis } from './local-redis.js';
import { Supervisor, type ChildSpec } from './supervisor.js';

const distDir = fileURLToPath(new URL('..', import.meta.url));
const say = (line: string) => console.error(line);

function stopped(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

runMain(async () => {
  // One password and one secret for every process of this stack, made before the config is read:
  // production refuses to start without them, and processes that disagree cannot work together.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ADMIN_PASSWORD: process.env.ADMIN_PASSWORD || randomBytes(18).toString('base64url'),
    SERVICE_SECRET: process.env.SERVICE_SECRET || randomBytes(32).toString('base64url'),
  };
  const config = loadConfig(env);
  let redis: ChildProcess | undefined;
  if (!(await isRedisReachable(config.REDIS_URL))) {
    if (!isLocalUrl(config.REDIS_URL) || !isRedisServerInstalled()) {
      throw new StartupError(
        `No Redis answers at ${config.REDIS_URL}: install one (apt-get install redis-server, brew install redis) or set REDIS_URL to a running Redis.`,
      );
    }
    redis = await startLocalRedis(config.REDIS_URL);
    say(`started a local redis-server (pid ${redis.pid}) for ${config.REDIS_URL}; it stops with this process`);
  }
  if (!process.env.ADMIN_PASSWORD) {
    // For the person at the terminal, once; never in the processes' JSON logs.
    say(
      `Bull Board (/admin/queues) and /metrics: user ${config.ADMIN_USER}, password ${env.ADMIN_PASSWORD} (made up for this run; set ADMIN_PASSWORD to choose one)`,
    );
  }

  const workers: ChildSpec[] = Array.from({ length: config.WORKERS }, (_, i) => ({
    name: `worker ${i + 1}`,
    script: 'worker/main.js',
    // Each worker serves its own /metrics, so each needs a port of its own.
    env: { ...env, WORKER_METRICS_PORT: String(config.WORKER_METRICS_PORT > 0 ? config.WORKER_METRICS_PORT + i : 0) },
  }));
  const supervisor = new Supervisor({
    distDir,
    maxCrashes: 5,
    crashWindowMs: 60_000,
    firstBackoffMs: 250,
    maxBackoffMs: 10_000,
    say,
  });
  supervisor.start([{ name: 'gateway', script: 'api/main.js', env }, ...workers]);
  process.on('SIGINT', () => void supervisor.stop());
  process.on('SIGTERM', () => void supervisor.stop());

  const exitCode = await supervisor.done;
  redis?.kill('SIGTERM');
  if (redis) await stopped(redis);
  process.exit(exitCode);
});
