import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, release, totalmem, type } from 'node:os';
import { PROJECT_ROOT } from './processes.js';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  redis: string;
  autocannon: string;
  /** The commit measured, and how many files differed from it: results of a dirty tree say so. */
  commit: string;
  uncommittedFiles: number | null;
}

/** Read-only git; no optional locks, so the bench never touches the index another process may hold. */
function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    }).trim();
  } catch {
    return undefined;
  }
}

export function machineInfo(redisVersion: string): MachineInfo {
  const status = git(['status', '--porcelain']);
  const { version: autocannonVersion } = createRequire(import.meta.url)('autocannon/package.json') as {
    version: string;
  };
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    redis: redisVersion,
    autocannon: autocannonVersion,
    commit: git(['rev-parse', 'HEAD']) ?? 'unknown',
    uncommittedFiles: status === undefined ? null : status.split('\n').filter(Boolean).length,
  };
}
