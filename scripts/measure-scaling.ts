/**
 * Miss throughput of the built service (dist/) with 1, 2 and 4 worker processes: for each count, a
 * throwaway Redis, one gateway and N workers, then a closed loop of clients that only ever ask new
 * questions (every request a miss, so every request costs a model run), until the time is up or
 * the 3,600 distinct applicants run out. Prints one row per worker count, with each process's CPU
 * share, so a curve that flattens shows where the cores went. See SCALING.md.
 *
 *   npm run build && node dist/scripts/measure-scaling.js [--workers 1,2,4] [--seconds 8]
 *     [--connections 64] [--batch 1] [--hits]
 *
 * `--batch B` sends B new applicants per request to /scores/batch instead of one to /scores;
 * `--hits` fills the cache first and measures hits instead (worker count then hardly matters).
 * The load generator runs in this process, on the same cores: on a small machine it is part of
 * what is measured.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Applicant } from '../shared/applicant.js';
import { applicantAt, DISTINCT_APPLICANTS } from '../bench/applicants.js';
import { freePort } from '../bench/processes.js';
import { cpuSeconds } from '../bench/proc-cpu.js';
import { startLocalRedis } from './local-redis.js';

/** Every applicant the model can tell apart, shuffled so consecutive requests do not hit neighbouring codes. */
function everyApplicant(): Applicant[] {
  const all = Array.from({ length: DISTINCT_APPLICANTS }, (_, n) => applicantAt(n));
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}

function post(agent: Agent, port: number, path: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { agent, port, host: '127.0.0.1', path, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)),
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Row {
  workers: number;
  applicantsPerS: number;
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  notOk: number;
  cpu: { gateway: number; workers: number; redis: number; loader: number };
}

interface Options {
  /** Measure hits instead: the cache is filled first, then the same applicants are asked again. */
  hits: boolean;
  seconds: number;
  connections: number;
  batch: number;
}

async function measure(workers: number, applicants: Applicant[], options: Options): Promise<Row> {
  const [redisPort, port] = [await freePort(), await freePort()];
  const redis = await startLocalRedis(`redis://127.0.0.1:${redisPort}`);
  // /readyz tells only an operator how many workers are connected.
  const operator = { user: 'measure', password: randomBytes(18).toString('base64url') };
  const env = {
    ADMIN_USER: operator.user,
    ADMIN_PASSWORD: operator.password,
    PATH: process.env.PATH ?? '',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    WORKER_METRICS_PORT: '0',
    RATE_LIMIT_MISSES: '0',
    MAX_QUEUE_DEPTH: '1000000',
    // One secret for the gateway and every worker (ids and sealed job data).
    SERVICE_SECRET: randomBytes(32).toString('base64url'),
  };
  // This file runs as dist/scripts/measure-scaling.js; the service's entry points are its siblings.
  const start = (entry: string) =>
    spawn(process.execPath, [fileURLToPath(new URL(`../${entry}`, import.meta.url))], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  const children: ChildProcess[] = [
    start('api/main.js'),
    ...Array.from({ length: workers }, () => start('worker/main.js')),
  ];
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  try {
    await waitFor(`${workers} workers ready`, async () => {
      const authorization = `Basic ${Buffer.from(`${operator.user}:${operator.password}`).toString('base64')}`;
      const response = await fetch(`http://127.0.0.1:${port}/readyz`, { headers: { authorization } });
      return response.ok && ((await response.json()) as { workers: number }).workers >= workers;
    });
    const pids = { gateway: children[0]!.pid!, workers: children.slice(1).map((c) => c.pid!), redis: redis.pid! };
    const cpuNow = () => ({
      gateway: cpuSeconds(pids.gateway),
      workers: pids.workers.reduce<number>((sum, pid) => sum + cpuSeconds(pid), 0),
      redis: cpuSeconds(pids.redis),
      loader: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
    });
    if (options.hits) {
      // Every applicant cached first, so the measured loop asks only questions answered before.
      for (let i = 0; i < applicants.length; i += 1000) {
        const body = JSON.stringify({ applicants: applicants.slice(i, i + 1000) });
        if ((await post(agent, port, '/scores/batch', body)) !== 200) throw new Error('warming the cache failed');
      }
    }
    const latencies: number[] = [];
    let next = 0;
    let notOk = 0;
    const cpuBefore = cpuNow();
    const started = performance.now();
    const endAt = started + options.seconds * 1000;
    const client = async () => {
      while (performance.now() < endAt && (options.hits || next + options.batch <= applicants.length)) {
        if (options.hits && next + options.batch > applicants.length) next = 0;
        const asked = applicants.slice(next, (next += options.batch));
        const body = options.batch === 1 ? JSON.stringify(asked[0]) : JSON.stringify({ applicants: asked });
        const sent = performance.now();
        const status = await post(agent, port, options.batch === 1 ? '/scores' : '/scores/batch', body);
        latencies.push(performance.now() - sent);
        if (status !== 200) notOk += 1;
      }
    };
    await Promise.all(Array.from({ length: options.connections }, client));
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuNow();
    const share = (key: keyof typeof cpuAfter) => (cpuAfter[key] - cpuBefore[key]) / seconds;
    latencies.sort((a, b) => a - b);
    const rank = (p: number) => latencies[Math.max(0, Math.ceil(p * latencies.length) - 1)] ?? 0;
    return {
      workers,
      applicantsPerS: ((latencies.length - notOk) * options.batch) / seconds,
      requests: latencies.length,
      seconds,
      p50Ms: rank(0.5),
      p99Ms: rank(0.99),
      notOk,
      cpu: { gateway: share('gateway'), workers: share('workers'), redis: share('redis'), loader: share('loader') },
    };
  } finally {
    agent.destroy();
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    redis.kill('SIGKILL');
  }
}

function printTable(rows: readonly Row[], options: Options): void {
  const pct = (cores: number) => `${Math.round(cores * 100)}%`;
  console.log(
    `${options.hits ? 'hit' : 'miss'} throughput, ${options.connections} connections, ${options.batch === 1 ? 'POST /scores' : `POST /scores/batch of ${options.batch}`}, ${options.seconds} s per row\n`,
  );
  console.log(
    '| workers | applicants/s | vs 1 worker | requests | p50 ms | p99 ms | not 200 | CPU gateway | CPU workers | CPU redis | CPU load generator |',
  );
  console.log(
    '| ------: | -----------: | ----------: | -------: | -----: | -----: | ------: | ----------: | ----------: | --------: | -----------------: |',
  );
  const base = rows[0]?.applicantsPerS ?? 1;
  for (const r of rows) {
    console.log(
      `| ${r.workers} | ${Math.round(r.applicantsPerS)} | ${(r.applicantsPerS / base).toFixed(2)}× | ${r.requests} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.notOk} | ${pct(r.cpu.gateway)} | ${pct(r.cpu.workers)} | ${pct(r.cpu.redis)} | ${pct(r.cpu.loader)} |`,
    );
  }
  console.log('\nCPU is the share of one core over the run (100% = one core busy throughout).');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string', default: '1,2,4' },
      seconds: { type: 'string', default: '8' },
      connections: { type: 'string', default: '64' },
      batch: { type: 'string', default: '1' },
      hits: { type: 'boolean', default: false },
    },
  });
  const options: Options = {
    hits: values.hits ?? false,
    seconds: Number(values.seconds ?? 8),
    connections: Number(values.connections ?? 64),
    batch: Number(values.batch ?? 1),
  };
  const counts = (values.workers ?? '1,2,4').split(',').map(Number);
  if (![options.seconds, options.connections, options.batch, ...counts].every((n) => Number.isInteger(n) && n > 0))
    throw new Error('--workers, --seconds, --connections and --batch take positive integers');
  const rows: Row[] = [];
  for (const workers of counts) rows.push(await measure(workers, everyApplicant(), options));
  printTable(rows, options);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
