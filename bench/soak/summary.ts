import type { MachineInfo } from '../machine.js';
import { duration, integer } from '../report/format.js';
import { table } from '../report/markdown-table.js';
import { STREAMS, type StatusCounts, type Stream } from './answer-counts.js';
import type { CacheLookups } from './cache-lookups.js';
import type { SoakSettings } from './settings.js';
import type { RssFigures, Verdict } from './verdict.js';

/** What the summary reads from a finished soak. */
export interface SoakReport {
  startedAt: string;
  durationS: number;
  machine: MachineInfo;
  settings: SoakSettings;
  serviceEnv: Record<string, string>;
  answers: StatusCounts;
  cache: CacheLookups;
  verdict: Verdict;
}

const mib = (value: number) => value.toFixed(1);

function rssRow(name: string, rss: RssFigures): string[] {
  return [name, mib(rss.startMiB), mib(rss.endMiB), mib(rss.maxMiB), mib(rss.limitMiB)];
}

function statuses(byStatus: Record<string, number>): string {
  const entries = Object.entries(byStatus);
  return entries.length ? entries.map(([status, n]) => `${status}: ${integer(n)}`).join(', ') : 'none';
}

/** The short Markdown summary printed on stdout. */
export function soakSummary(report: SoakReport): string {
  const { settings, verdict } = report;
  const { keys, errors } = verdict;
  const env = Object.entries(report.serviceEnv).map(([name, value]) => `${name}=${value}`);
  const unexpected = Object.keys(errors.unexpected).length ? JSON.stringify(errors.unexpected) : 'none';
  return [
    `# Soak (${settings.mode}): ${verdict.failures.length === 0 ? 'passed' : 'FAILED'}`,
    '',
    `${report.startedAt}, took ${duration(report.durationS)}: ${settings.warmupS} s warm-up + ${settings.soakS} s of load, ` +
      `a sample every ${settings.sampleEveryS} s. ${report.machine.cpus} CPUs, Node ${report.machine.node}, ` +
      `Redis ${report.machine.redis}. Service settings: ${env.join(', ')}.`,
    '',
    ...table(
      ['RSS (MiB)', 'start', 'end', 'max', 'limit'],
      ['l', 'r', 'r', 'r', 'r'],
      [rssRow('gateway', verdict.rss.gateway), rssRow('worker', verdict.rss.worker)],
    ),
    '',
    ...table(
      ['Redis keys', 'start', 'end', 'max'],
      ['l', 'r', 'r', 'r'],
      [
        ['keys', integer(keys.start.keys), integer(keys.end.keys), integer(keys.max.keys)],
        ['bound', integer(keys.start.bound), integer(keys.end.bound), integer(keys.max.bound)],
      ],
    ),
    '',
    ...table(
      ['Stream', 'answers by status'],
      ['l', 'l'],
      (Object.keys(STREAMS) as Stream[]).map((stream) => [stream, statuses(report.answers[stream])]),
    ),
    '',
    `Cache lookups: ${integer(report.cache.hits)} hits, ${integer(report.cache.misses)} misses. ` +
      `Errors: ${errors.http5xx} 5xx, ${errors.connectionErrors} connection errors, unexpected statuses ${unexpected}, ` +
      `${errors.pollsFailed} polls failed, ${errors.pollTimeouts} poll timeouts, ${errors.workerJobsFailed} jobs failed, ` +
      `${errors.crashes.length} crashes, ${errors.logTrouble.lines} error log lines.`,
    ...verdict.failures.map((failure) => `- FAILED ${failure}`),
  ].join('\n');
}
