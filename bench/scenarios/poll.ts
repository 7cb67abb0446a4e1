import { Agent } from 'node:http';
import { z } from 'zod';
import { applicantAt, type ApplicantSupply } from '../applicants.js';
import type { BenchContext } from '../context.js';
import { requestJson } from '../http.js';
import { summarize, type LoadResult } from '../load.js';
import { withCpu } from '../measure.js';
import { subtractCounts } from '../model-runs.js';
import { toRun, type RunResult } from '../results.js';
import type { ServiceStack } from '../service.js';

const JobAnswer = z.object({ status: z.string() });
/** A job not completed within this long counts as an error, not a hang. */
const JOB_DEADLINE_MS = 10_000;

type JobOutcome = 'completed' | 'failed' | 'unexpected' | 'timeout';

interface PollOutcome extends LoadResult {
  polls: number;
}

/** Submits one never-seen applicant and polls its Location back to back until it is finished. */
async function submitAndPoll(
  baseUrl: string,
  agent: Agent,
  applicant: number,
  record: (status: number, expected: readonly number[]) => boolean,
): Promise<{ outcome: JobOutcome; polls: number }> {
  const submittedAt = performance.now();
  const submit = await requestJson(`${baseUrl}/jobs`, {
    body: JSON.stringify({ applicant: applicantAt(applicant) }),
    agent,
  });
  if (!record(submit.status, [200, 202])) return { outcome: 'unexpected', polls: 0 };
  let { status } = JobAnswer.parse(submit.body);
  const location = new URL(submit.headers.get('location') ?? '', baseUrl);
  let polls = 0;
  while (status !== 'completed' && status !== 'failed') {
    if (performance.now() - submittedAt > JOB_DEADLINE_MS) return { outcome: 'timeout', polls };
    const poll = await requestJson(location.href, { agent });
    polls += 1;
    if (!record(poll.status, [200])) return { outcome: 'unexpected', polls };
    status = JobAnswer.parse(poll.body).status;
  }
  return { outcome: status === 'completed' ? 'completed' : 'failed', polls };
}

/**
 * Jobs one at a time, each polled back to back (ignoring Retry-After, a politeness hint): the
 * latency is submit → "completed" seen.
 */
async function pollJobs(baseUrl: string, jobs: number, supply: ApplicantSupply): Promise<PollOutcome> {
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let unexpected = 0;
  let errors = 0;
  let polls = 0;
  const record = (status: number, expected: readonly number[]) => {
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    return expected.includes(status);
  };
  // One kept-alive connection, as a polling client would hold; destroyed after, so the gateway's drain never waits for it.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const started = performance.now();
  try {
    for (let i = 0; i < jobs; i++) {
      const jobStarted = performance.now();
      const job = await submitAndPoll(baseUrl, agent, supply.take(1).from, record);
      polls += job.polls;
      if (job.outcome === 'completed') latencies.push(performance.now() - jobStarted);
      else if (job.outcome === 'timeout') errors += 1;
      else unexpected += 1;
    }
  } finally {
    agent.destroy();
  }
  const elapsedS = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    elapsedS,
    rps: latencies.length / elapsedS,
    latencyMs: summarize(latencies),
    errors,
    unexpected,
    statusCounts,
    polls,
  };
}

/**
 * POST /jobs with a never-seen applicant from `supply`, then GET /jobs/:id until completed: how soon
 * an asynchronous client sees its answer.
 */
export async function runPoll(ctx: BenchContext, stack: ServiceStack, supply: ApplicantSupply): Promise<RunResult> {
  await stack.idle();
  const before = await stack.workerCounts();
  const { result, cpuPerRequest } = await withCpu(stack.underTest, ctx.redis, () =>
    pollJobs(stack.url, ctx.settings.pollJobs, supply),
  );
  await stack.idle();
  const { polls, ...load } = result;
  const run = toRun(
    { id: 'poll', label: 'Submit + poll until completed', group: 'poll', connections: 1 },
    load,
    cpuPerRequest,
  );
  run.work = subtractCounts(await stack.workerCounts(), before);
  run.pollsPerJob = result.requests > 0 ? polls / result.requests : 0;
  if (run.work.jobsFailed > 0) run.problems.push(`${run.work.jobsFailed} jobs failed`);
  ctx.onRun(run);
  return run;
}
