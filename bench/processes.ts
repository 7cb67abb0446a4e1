import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpRequest } from './http.js';

/** The repository root, seen from dist/bench/. The service resolves model/manifest.json from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A built script under dist/, e.g. `api/main.js` or `bench/baselines/bare-node.js`. */
function distScript(path: string): string {
  return fileURLToPath(new URL(`../${path}`, import.meta.url));
}

const STOP_GRACE_MS = 5000;
const LOG_TAIL_BYTES = 2000;

/** One process the bench started: stopped by its PID, its output kept in a log file, not a pipe. */
export class Child {
  private stopping = false;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    private readonly spawned: ChildProcess,
    readonly logPath: string,
    onCrash: (child: Child, why: string) => void,
  ) {
    this.exited = new Promise((resolve) =>
      spawned.once('exit', (code, signal) => {
        if (!this.stopping) onCrash(this, `exited with ${signal ?? `code ${code}`}`);
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.spawned.pid ?? -1;
  }

  get isRunning(): boolean {
    return this.spawned.exitCode === null && this.spawned.signalCode === null;
  }

  /** The end of the process's output, for failure reports. */
  logTail(): string {
    const text = readFileSync(this.logPath, 'utf8');
    return text.slice(-LOG_TAIL_BYTES);
  }

  /** SIGTERM, then SIGKILL when it has not exited within the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.isRunning) return;
    process.kill(this.pid, 'SIGTERM');
    const timer = setTimeout(() => this.isRunning && process.kill(this.pid, 'SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort when the bench itself exits. */
  kill(): void {
    this.stopping = true;
    if (this.isRunning) process.kill(this.pid, 'SIGKILL');
  }
}

/**
 * Starts every child process of a run and remembers them, so a crash is reported (a process that
 * exits without being asked is a failure) and nothing outlives the bench.
 */
export class Supervisor {
  readonly crashes: string[] = [];
  private readonly children = new Set<Child>();

  constructor(private readonly logDir: string) {}

  start(name: string, command: string, args: string[], env: Record<string, string>): Child {
    const logPath = join(this.logDir, `${name}.log`);
    const log = openSync(logPath, 'a');
    const spawned = spawn(command, args, {
      cwd: PROJECT_ROOT,
      // Only what the bench passes: the caller's REDIS_URL, PORT and the like must not leak in.
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const child = new Child(name, spawned, logPath, (crashed, why) => {
      this.crashes.push(`${crashed.name} (pid ${crashed.pid}) ${why}; log ${crashed.logPath}:\n${crashed.logTail()}`);
    });
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    return child;
  }

  /** `nodeArgs` go before the script, e.g. `--cpu-prof`. */
  startNode(name: string, script: string, env: Record<string, string>, nodeArgs: readonly string[] = []): Child {
    return this.start(name, process.execPath, [...nodeArgs, distScript(script)], env);
  }

  killAll(): void {
    for (const child of this.children) child.kill();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` holds; fails early when a process it depends on is gone. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  children: readonly Child[],
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const dead = children.find((child) => !child.isRunning);
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}:\n${dead.logTail()}`);
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`${what}: not ready within ${timeoutMs} ms`);
}

/** True once `url` answers 200. */
export async function answersOk(url: string): Promise<boolean> {
  return (await httpRequest(url)).status === 200;
}
