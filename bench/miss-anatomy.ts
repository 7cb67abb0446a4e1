/**
 * `npm run build && node dist/bench/miss-anatomy.js [--misses N] [--workers 1,2] [--profile]`: what
 * one miss costs each process, counted rather than timed, so the figures hold on a busy machine. For
 * each worker count, the service (1 gateway) on the bench's private Redis gets N never-seen
 * applicants on POST /scores, one at a time (so each miss is a job of its own), after a warm-up of
 * the same kind. Per miss it prints the wall time, each process's CPU and its wake-ups (voluntary
 * context switches, all threads: how often it blocked and was woken), and the Redis commands by name
 * (INFO commandstats; scripts' inner commands included). `--profile` runs the processes under
 * `node --cpu-prof` and adds, per process, the steps that cost most per miss (inclusive time: a
 * function and all it called, over the measured misses only). Exits 1 when a run fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PrivateRedis } from './private-redis.js';
import { cpuSeconds } from './proc-cpu.js';
import { summarizeProfile } from './profile/cpu-profile.js';
import { missPlan } from './scenarios/plans.js';
import { ServiceStack } from './service.js';
import { runCommand, Session } from './session.js';
import { FULL, serviceEnvFrom } from './settings.js';

const USAGE = 'usage: node dist/bench/miss-anatomy.js [--misses N] [--workers 1,2] [--profile]';
const WARMUP_MISSES = 300;
/** Steps listed per process with --profile. */
const PROFILE_STEPS = 15;

interface Options {
  misses: number;
  workers: number[];
  profile: boolean;
}

function parseArgs(args: readonly string[]): Options {
  const parsed = { misses: 1000, workers: [1, 2], profile: false };
  for (let i = 0; i < args.length; i += 2) {
    const value = args[i + 1];
    if (args[i] === '--profile') {
      parsed.profile = true;
      i -= 1;
    } else if (args[i] === '--misses' && value) parsed.misses = Number(value);
    else if (args[i] === '--workers' && value) parsed.workers = value.split(',').map(Number);
    else throw new Error(USAGE);
  }
  if (!(parsed.misses > 0) || parsed.workers.some((n) => !(n > 0))) throw new Error(USAGE);
  return parsed;
}

/** Voluntary context switches of every thread of a live process: the times it blocked and was woken. */
function wakeUps(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).reduce((sum, task) => {
    const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
    return sum + Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1] ?? 0);
  }, 0);
}

async function commandCounts(redis: PrivateRedis): Promise<Map<string, number>> {
  const info = await redis.redis.client.info('commandstats');
  const counts = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) {
    if (match[1] !== 'info') counts.set(match[1]!, Number(match[2]));
  }
  return counts;
}

/** Sends `count` bodies one after another; throws on any answer but 200. */
async function sendInTurn(url: string, body: () => string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(),
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`answer ${response.status}`);
  }
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Each process's costliest steps per miss, from the profiles V8 wrote when the processes exited. */
async function printProfiles(
  dir: string,
  roles: Map<number, string>,
  window: { fromUs: number; toUs: number },
  misses: number,
): Promise<void> {
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile')).sort()) {
    // node names them CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
    const pid = Number(file.split('.')[3]);
    const summary = summarizeProfile(await readFile(join(dir, file), 'utf8'), window, PROFILE_STEPS);
    const idleMs = summary.top.find((t) => t.name === '(idle)')?.selfMs ?? 0;
    const perMiss = (ms: number) => `${((ms * 1000) / misses).toFixed(0).padStart(5)} µs`;
    console.log(
      `  ${roles.get(pid) ?? 'process'} ${pid} profile: busy ${perMiss(summary.totalMs - idleMs)} per miss, of it:`,
    );
    for (const step of summary.topInclusive) console.log(`    ${perMiss(step.selfMs)}  ${step.name}`);
  }
}

async function anatomy(session: Session, own: PrivateRedis, workers: number, options: Options): Promise<void> {
  const { misses, profile } = options;
  const settings = { ...FULL, serviceEnv: serviceEnvFrom(process.env) };
  const ctx = { settings, redis: own.redis, supervisor: session.supervisor, onRun: () => undefined };
  const profileDir = join(session.workDir, `profiles-${workers}w`);
  const stack = await ServiceStack.start(ctx, {
    name: `anatomy-${workers}w`,
    workers,
    ...(profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
  });
  const gateways = new Set(stack.gatewayPids);
  const roles = new Map(stack.underTest.serverPids.map((pid) => [pid, gateways.has(pid) ? 'gateway' : 'worker ']));
  let window = { fromUs: 0, toUs: 0 };
  try {
    const named = { id: 'anatomy', label: 'anatomy', group: 'miss' as const };
    const plan = missPlan(settings, named, '/scores', true, () => stack.forgetAnswers());
    const next = (bodies: ReturnType<typeof plan.bodies>) => () => {
      const body = bodies[0]!;
      return typeof body === 'function' ? body() : body;
    };
    await stack.forgetAnswers();
    await sendInTurn(`${stack.url}/scores`, next(plan.bodies()), WARMUP_MISSES);
    await stack.forgetAnswers();
    const body = next(plan.bodies());
    const pids = stack.underTest.serverPids;
    const before = { cpu: pids.map(cpuSeconds), wake: pids.map(wakeUps), commands: await commandCounts(own) };
    const fromUs = monotonicUs();
    await sendInTurn(`${stack.url}/scores`, body, misses);
    window = { fromUs, toUs: monotonicUs() };
    const after = { cpu: pids.map(cpuSeconds), wake: pids.map(wakeUps), commands: await commandCounts(own) };

    const per = (n: number) => (n / misses).toFixed(2);
    const eachUs = (window.toUs - window.fromUs) / misses;
    console.log(
      `\n${workers} worker${workers > 1 ? 's' : ''}, ${misses} sequential misses, ${eachUs.toFixed(0)} µs each (wall time)`,
    );
    pids.forEach((pid, i) => {
      const role = roles.get(pid)!;
      const cpuUs = ((after.cpu[i]! - before.cpu[i]!) * 1e6) / misses;
      console.log(
        `  ${role} ${pid}: CPU ${cpuUs.toFixed(0)} µs, wake-ups ${per(after.wake[i]! - before.wake[i]!)} per miss`,
      );
    });
    const commands = [...after.commands]
      .map(([name, calls]) => [name, calls - (before.commands.get(name) ?? 0)] as const)
      .filter(([, calls]) => calls > 0)
      .sort((a, b) => b[1] - a[1]);
    const total = commands.reduce((sum, [, calls]) => sum + calls, 0);
    console.log(
      `  Redis commands ${per(total)} per miss: ${commands.map(([name, n]) => `${name} ${per(n)}`).join(', ')}`,
    );
  } finally {
    await stack.stop();
  }
  if (profile) await printProfiles(profileDir, roles, window, misses);
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const session = await Session.open('anatomy');
  const own = await PrivateRedis.start(session.supervisor);
  let failed = false;
  try {
    for (const count of options.workers) await anatomy(session, own, count, options);
  } catch (error) {
    failed = true;
    console.error(`FAILED ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await own.stop();
    await session.closeRedis();
  }
  for (const crash of session.supervisor.crashes) console.error(`FAILED ${crash}`);
  return session.finish(failed || session.supervisor.crashes.length > 0, session.workDir);
}

runCommand(main);
