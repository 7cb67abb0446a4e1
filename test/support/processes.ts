import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What every test process runs with unless its test says otherwise. NODE_ENV defaults to production,
 * which refuses to start without ADMIN_PASSWORD and SERVICE_SECRET; tests run as `test`, and the
 * processes of one test share one secret as a deployment's would.
 */
export const TEST_PROCESS_ENV = {
  NODE_ENV: 'test',
  SERVICE_SECRET: 'test-service-secret-shared-by-all-test-processes',
} as const;

/** A built entry point (dist/...) run as its own process, its output kept for assertions. */
export class ServiceProcess {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static start(script: string, env: Record<string, string>, args: readonly string[] = []): ServiceProcess {
    return new ServiceProcess(
      spawn(process.execPath, [`dist/${script}`, ...args], {
        cwd: PROJECT_ROOT,
        // Metrics ports off unless a test asks: processes of parallel tests must not collide.
        env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', WORKER_METRICS_PORT: '0', ...TEST_PROCESS_ENV, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so a SIGKILL in a test's clean-up reaches what it started too.
        detached: true,
      }),
    );
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * SIGTERM goes to the process alone: what it does with its children is under test. SIGKILL goes to
   * its whole process group: `npm start`'s supervisor cannot pass a SIGKILL on, and the gateway and
   * workers it started would otherwise outlive the test (found idling on the machine after a run).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (signal === 'SIGKILL') {
      try {
        process.kill(-this.child.pid!, signal);
      } catch {
        // the group is gone already
      }
    } else if (this.isRunning) this.child.kill(signal);
    return this.exited;
  }
}

/** Polls `url` until it answers 200, or fails after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Polls until a line in the process's output matches, e.g. a worker's "worker ready" log. */
export async function waitForOutput(service: ServiceProcess, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(service.output)) {
    if (Date.now() > deadline || !service.isRunning) {
      throw new Error(`no ${pattern} in output within ${timeoutMs} ms:\n${service.output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
