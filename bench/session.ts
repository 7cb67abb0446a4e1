import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BenchRedis } from './bench-redis.js';
import { PROJECT_ROOT, Supervisor } from './processes.js';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const CLEANUP_ON_SIGNAL_MS = 3000;

export interface SessionArgs {
  /** The short mode was asked for (`--smoke`, `--short`). */
  quick: boolean;
  outDir?: string;
}

/** `[--<quickFlag>] [--out DIR]`, the command line of bench/run.ts and bench/soak.ts. */
export function parseSessionArgs(args: readonly string[], quickFlag: string, usage: string): SessionArgs {
  const parsed: SessionArgs = { quick: false };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${quickFlag}`) parsed.quick = true;
    else if (args[i] === '--out' && args[i + 1]) parsed.outDir = resolve(args[++i]!);
    else throw new Error(usage);
  }
  return parsed;
}

/**
 * What a bench or soak run holds for its whole life: the Redis at REDIS_URL (keys under a run tag of
 * its own), a supervisor of the processes it starts, and a work directory whose logs/ receive their
 * output (files, never a pipe into this process: reading it would cost the load generator CPU).
 * Ctrl-C or SIGTERM kills the processes and deletes the run's keys before exiting.
 */
export class Session {
  private constructor(
    readonly redisUrl: string,
    readonly redis: BenchRedis,
    readonly supervisor: Supervisor,
    readonly workDir: string,
    readonly logDir: string,
  ) {}

  static async open(name: string): Promise<Session> {
    const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
    const redis = await BenchRedis.connect(redisUrl);
    const workDir = await mkdtemp(join(tmpdir(), `credit-${name}-`));
    const logDir = join(workDir, 'logs');
    await mkdir(logDir);
    const supervisor = new Supervisor(logDir);
    const onSignal = (code: number) => () => {
      supervisor.killAll();
      const timeout = new Promise((done) => setTimeout(done, CLEANUP_ON_SIGNAL_MS));
      void Promise.race([redis.deleteEverything(), timeout]).finally(() => process.exit(code));
    };
    process.once('exit', () => supervisor.killAll());
    process.once('SIGINT', onSignal(130));
    process.once('SIGTERM', onSignal(143));
    return new Session(redisUrl, redis, supervisor, workDir, logDir);
  }

  /** Where results go: DIR when given, the work directory for a quick run (its figures mean nothing), else bench/results. */
  outDir(args: SessionArgs): string {
    return args.outDir ?? (args.quick ? this.workDir : join(PROJECT_ROOT, 'bench', 'results'));
  }

  /** Deletes the run's keys and closes Redis. */
  async closeRedis(): Promise<void> {
    await this.redis.deleteEverything();
    this.redis.close();
  }

  /** Keeps the process logs when something failed (and says where), drops them otherwise; returns the exit code. */
  async finish(failed: boolean, outDir: string): Promise<number> {
    if (failed) {
      console.error(`process logs kept in ${this.logDir}`);
      return 1;
    }
    await rm(outDir === this.workDir ? this.logDir : this.workDir, { recursive: true, force: true });
    return 0;
  }
}

/** Runs a command's main and exits with its code; an error is one line on stderr and exit 1. */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
