import type { Config } from '../../shared/config.js';
import { boardJobLink } from '../admin/queue-board.js';
import { jobRequest } from '../contract.js';
import type { Handler } from '../http/exchange.js';
import { parseInput } from '../http/validation.js';
import type { JobTracker } from '../jobs/job-tracker.js';
import type { Scorer } from '../scoring/scorer.js';
import { POLL_AFTER_S, acceptedAnswer, jobLink } from './answers.js';

export type JobHandlerConfig = Pick<Config, 'BATCH_MAX_ITEMS' | 'BASE_PATH'>;

/**
 * POST /jobs: one applicant or a batch, never waited for. Already-cached work answers 200 with
 * `status: "completed"` and the result; anything else 202 with a Location to poll.
 */
export function submitJobHandler(scorer: Scorer, config: JobHandlerConfig): Handler {
  const schema = jobRequest(config.BATCH_MAX_ITEMS);
  return async (request) => {
    const body = parseInput(schema, request.body);
    const options = { waitMs: 0, requestId: request.requestId, client: request.client };
    if (body.applicant) {
      const answer = await scorer.score(body.applicant, options);
      if (answer.kind === 'pending') return acceptedAnswer(config.BASE_PATH, answer.jobId, scorer.modelVersion, []);
      return completed(config.BASE_PATH, scorer.question(body.applicant).id, answer.score);
    }
    const answer = await scorer.scoreMany(body.applicants!, options);
    if (answer.kind === 'pending') return acceptedAnswer(config.BASE_PATH, answer.batchId, scorer.modelVersion, []);
    // Answered whole: nothing is stored, so there is no id to poll (a record would only cost Redis memory).
    return { status: 200, body: { status: 'completed', result: answer.scores } };
  };
}

function completed(basePath: string, id: string, result: unknown) {
  const self = jobLink(basePath, id);
  return { status: 200, headers: { Location: self }, body: { id, status: 'completed', result, links: { self } } };
}

/** GET /jobs/:id: the job's status, and its result once completed; Retry-After while it runs. */
export function jobStatusHandler(tracker: JobTracker, config: JobHandlerConfig): Handler {
  return async (request) => {
    const id = request.params.id ?? '';
    const { job, ...status } = await tracker.status(id, request.client());
    const finished = status.status === 'completed' || status.status === 'failed';
    const headers: Record<string, string> = finished ? {} : { 'Retry-After': String(POLL_AFTER_S) };
    // For operators: the board's page of the BullMQ job (behind the admin credentials).
    const board = job ? { board: boardJobLink(config.BASE_PATH, job) } : {};
    return {
      status: 200,
      headers,
      body: { ...status, links: { self: jobLink(config.BASE_PATH, id), ...board } },
    };
  };
}
