import { Agent } from 'node:http';
import { z } from 'zod';
import { applicantAt } from '../applicants.js';
import { requestJson } from '../http.js';
import { sleep } from '../processes.js';
import type { AnswerCounts } from './answer-counts.js';
import type { ApplicantTraffic } from './applicant-traffic.js';
import type { SoakSettings } from './settings.js';

const JobAnswer = z.object({ status: z.string() });
/**
 * An impatient client: the first poll at once, then faster than Retry-After (1 s), so polls also
 * see jobs still queued or running, and the moment a job completes.
 */
const POLL_EVERY_MS = 50;
/** A polled job not finished within this long counts as a mishap, not a hang. */
const POLL_DEADLINE_MS = 10_000;

export interface JobClientsDeps {
  baseUrl: string;
  settings: SoakSettings['jobs'];
  applicants: ApplicantTraffic;
  counts: AnswerCounts;
  /** performance.now() of each asynchronous batch submitted: its record lives JOB_RETENTION_SECONDS. */
  batchesSubmitted: number[];
}

/** GET Location until the job is completed or failed, or the deadline passes. */
async function pollUntilFinished(deps: JobClientsDeps, agent: Agent, location: string): Promise<void> {
  const deadline = performance.now() + POLL_DEADLINE_MS;
  for (; ; await sleep(POLL_EVERY_MS)) {
    const poll = await requestJson(location, { agent });
    deps.counts.record('polls', poll.status);
    if (poll.status !== 200) return;
    const { status } = JobAnswer.parse(poll.body);
    if (status === 'completed') return;
    if (status === 'failed') {
      deps.counts.mishaps.jobsFailed += 1;
      return;
    }
    if (performance.now() > deadline) {
      deps.counts.mishaps.pollTimeouts += 1;
      return;
    }
  }
}

/** One submission: the n-th of its client. */
async function submit(deps: JobClientsDeps, agent: Agent, n: number): Promise<void> {
  const { settings, applicants } = deps;
  const isBatch = n % settings.batchEvery === settings.batchEvery - 1;
  const body = isBatch
    ? {
        applicants: [
          ...Array.from({ length: settings.batchFresh }, () => applicantAt(applicants.fresh())),
          ...Array.from({ length: settings.batchWarm }, () => applicantAt(applicants.warm())),
        ],
      }
    : { applicant: applicantAt(applicants.fresh()) };
  if (isBatch) deps.batchesSubmitted.push(performance.now());
  const answer = await requestJson(`${deps.baseUrl}/jobs`, { body: JSON.stringify(body), agent });
  deps.counts.record('jobs', answer.status);
  const polled = isBatch || n % settings.pollEvery === 0;
  if (answer.status === 202 && polled) {
    await pollUntilFinished(deps, agent, new URL(answer.headers.get('location') ?? '', deps.baseUrl).href);
  }
}

/** One asynchronous client on a kept-alive connection of its own, one submission per pace until `untilMs`. */
async function jobClient(deps: JobClientsDeps, untilMs: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let n = 0; performance.now() < untilMs; n++) {
      const startedAt = performance.now();
      try {
        await submit(deps, agent, n);
      } catch {
        // No answer at all (reset, refused): the request is lost to the client.
        deps.counts.mishaps.connectionErrors += 1;
      }
      await sleep(Math.max(0, startedAt + deps.settings.paceMs - performance.now()));
    }
  } finally {
    // Destroyed, so the gateway's drain on SIGTERM never waits for an idle kept-alive socket.
    agent.destroy();
  }
}

/** Runs the asynchronous clients for `durationS`; resolves when the last of them has finished its job. */
export async function runJobClients(deps: JobClientsDeps, durationS: number): Promise<void> {
  const untilMs = performance.now() + durationS * 1000;
  await Promise.all(Array.from({ length: deps.settings.clients }, () => jobClient(deps, untilMs)));
}
