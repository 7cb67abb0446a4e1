import { spawn, type ChildProcess } from 'node:child_process';

/** One process the supervisor keeps running: a name for its messages, a script under dist/, its environment. */
export interface ChildSpec {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
}

export interface SupervisorOptions {
  /** Where the built entry points live (dist/). */
  distDir: string;
  /** More crashes than this of one child within `crashWindowMs` stop the whole stack. */
  maxCrashes: number;
  crashWindowMs: number;
  /** The first restart waits this long; each further crash in the window doubles it, up to `maxBackoffMs`. */
  firstBackoffMs: number;
  maxBackoffMs: number;
  /** Lines for the person at the terminal (the children's JSON logs go to stdout beside them). */
  say: (line: string) => void;
}

interface Supervised {
  spec: ChildSpec;
  child: ChildProcess;
  crashes: number[];
  restart?: NodeJS.Timeout;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Keeps child processes running as a process manager does: a child that exits on its own is
 * restarted after a backoff that doubles with each recent crash, and only a child that keeps
 * crashing (more than `maxCrashes` within `crashWindowMs`) stops the stack. One worker dying never
 * takes the gateway or the other workers with it.
 */
export class Supervisor {
  private readonly supervised: Supervised[] = [];
  private stopping = false;
  private exitCode = 0;
  private resolveDone!: (code: number) => void;
  /** Resolves with the exit code once every child has stopped (after `stop`, or too many crashes). */
  readonly done = new Promise<number>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly options: SupervisorOptions) {}

  start(specs: readonly ChildSpec[]): void {
    for (const spec of specs) {
      const entry: Supervised = { spec, child: this.spawn(spec), crashes: [] };
      this.supervised.push(entry);
      this.watch(entry);
    }
  }

  /** SIGTERM to every child (each drains), then resolves `done`; safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const entry of this.supervised) {
      clearTimeout(entry.restart);
      entry.child.kill('SIGTERM');
    }
    await Promise.all(this.supervised.map((entry) => exited(entry.child)));
    this.resolveDone(this.exitCode);
  }

  private spawn(spec: ChildSpec): ChildProcess {
    return spawn(process.execPath, [`${this.options.distDir}${spec.script}`], { stdio: 'inherit', env: spec.env });
  }

  private watch(entry: Supervised): void {
    entry.child.once('exit', (code, signal) => {
      if (this.stopping) return;
      const now = Date.now();
      entry.crashes = [...entry.crashes.filter((at) => now - at < this.options.crashWindowMs), now];
      const how = signal ? `signal ${signal}` : `code ${code}`;
      const { maxCrashes, crashWindowMs, firstBackoffMs, maxBackoffMs } = this.options;
      if (entry.crashes.length > maxCrashes) {
        this.options.say(
          `${entry.spec.name} (pid ${entry.child.pid}) exited with ${how}, its ${entry.crashes.length}th crash within ${crashWindowMs / 1000} s: stopping everything`,
        );
        this.exitCode = 1;
        void this.stop();
        return;
      }
      const backoffMs = Math.min(maxBackoffMs, firstBackoffMs * 2 ** (entry.crashes.length - 1));
      this.options.say(
        `${entry.spec.name} (pid ${entry.child.pid}) exited with ${how}; restarting it in ${backoffMs} ms (crash ${entry.crashes.length} of ${maxCrashes} allowed within ${crashWindowMs / 1000} s)`,
      );
      entry.restart = setTimeout(() => {
        if (this.stopping) return;
        entry.child = this.spawn(entry.spec);
        this.options.say(`${entry.spec.name} restarted (pid ${entry.child.pid})`);
        this.watch(entry);
      }, backoffMs);
    });
  }
}
