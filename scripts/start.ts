/**
 * `npm start`: the whole service on one machine. Starts a local Redis when none answers at
 * REDIS_URL (and stops it on exit), then the gateway and WORKERS worker processes. Production runs
 * the two processes directly (Procfile, docker-compose.yml); this is for a laptop or a demo.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../shared/config.js';
import { StartupError, runMain } from '../shared/lifecycle.js';
import { isLocalUrl, isRedisReachable, isRedisServerInstalled, startLocalRedis } from './local-redis.js';

const distDir = fileURLToPath(new URL('..', import.meta.url));

function startNode(script: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [`${distDir}${script}`], { stdio: 'inherit', env: { ...process.env, ...env } });
}

function stopped(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

runMain(async () => {
  const config = loadConfig(process.env);
  let redis: ChildProcess | undefined;
  if (!(await isRedisReachable(config.REDIS_URL))) {
    if (!isLocalUrl(config.REDIS_URL) || !isRedisServerInstalled()) {
      throw new StartupError(
        `No Redis answers at ${config.REDIS_URL}: install one (apt-get install redis-server, brew install redis) or set REDIS_URL to a running Redis.`,
      );
    }
    redis = await startLocalRedis(config.REDIS_URL);
    console.error(
      `started a local redis-server (pid ${redis.pid}) for ${config.REDIS_URL}; it stops with this process`,
    );
  }

  const children = [
    startNode('api/main.js'),
    ...Array.from({ length: config.WORKERS }, () => startNode('worker/main.js')),
  ];
  let exitCode = 0;
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map(stopped));
    redis?.kill('SIGTERM');
    if (redis) await stopped(redis);
    process.exit(exitCode);
  };
  for (const child of children) {
    child.once('exit', (code) => {
      // One process gone means the service is not whole: take the rest down rather than limp on.
      if (!stopping && code !== 0) exitCode = 1;
      void stopAll();
    });
  }
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
});
