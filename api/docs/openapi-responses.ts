import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { Problem } from '../contract.js';

const header = (description: string, example?: string) => ({
  description,
  schema: { type: 'string' as const, ...(example === undefined ? {} : { example }) },
});

/** On every answer, errors included. */
const REQUEST_ID = { 'X-Request-Id': header('The request id: yours from X-Request-Id when usable, or a new one') };
const MODEL_VERSION = header('Version of the model that answered (8 hex digits of its sha256)', '79144bd9');
const RETRY_AFTER = header('Seconds to wait before asking again', '1');
const PREFERENCE_APPLIED = header(
  'The Prefer preferences honoured (RFC 7240): respond-async on a 202, wait=N when a wait budget was used',
  'wait=10',
);

/** A synchronous 200: the answer and where it came from. */
export const SCORED_HEADERS = {
  'X-Cache': header('HIT when answered from the cache, MISS when the model ran for this request', 'HIT'),
  'Cache-Status': header('RFC 9211 cache status', 'credit-scoring; hit'),
  'X-Model-Version': MODEL_VERSION,
  'Preference-Applied': PREFERENCE_APPLIED,
  ...REQUEST_ID,
};

/** A 202: accepted, poll Location. */
export const ACCEPTED_HEADERS = {
  Location: header('Where to poll: /jobs/{id}'),
  'Retry-After': RETRY_AFTER,
  'X-Cache': header('MISS: the model runs for this request', 'MISS'),
  'Cache-Status': header('RFC 9211 cache status', 'credit-scoring; fwd=miss'),
  'X-Model-Version': MODEL_VERSION,
  'Preference-Applied': PREFERENCE_APPLIED,
  ...REQUEST_ID,
};

/** POST /jobs answered at once from the cache. */
export const COMPLETED_HEADERS = { Location: header('The job, to read it again: /jobs/{id}'), ...REQUEST_ID };

/** A poll: Retry-After while the job is queued or active. */
export const POLL_HEADERS = {
  'Retry-After': header('Seconds to wait before polling again; absent once the job has finished', '1'),
  ...REQUEST_ID,
};

export const PLAIN_HEADERS = REQUEST_ID;

export const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

export const problem = (description: string, headers: Record<string, unknown> = {}): ResponseConfig => ({
  description,
  headers: { ...headers, ...REQUEST_ID },
  content: { 'application/problem+json': { schema: Problem } },
});

export const UNAUTHORIZED = problem('Credentials missing or wrong', {
  'WWW-Authenticate': header('The Basic challenge', 'Basic realm="credit-scoring admin", charset="UTF-8"'),
});

/** What a scoring request can fail with. */
export const SCORING_ERRORS: Record<number, ResponseConfig> = {
  400: problem('Malformed JSON'),
  413: problem('Body too large'),
  415: problem('Content-Type is not JSON'),
  422: problem('Invalid fields: `errors` lists each field path (JSON pointer) and reason'),
  429: problem('This client sent more than RATE_LIMIT_MISSES requests with misses in the window', {
    'Retry-After': RETRY_AFTER,
  }),
  502: problem('The job failed after all its retries'),
  503: problem('Redis unreachable, or too many jobs waiting (QUEUE_FULL)', { 'Retry-After': RETRY_AFTER }),
};
