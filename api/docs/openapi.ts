import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { Applicant } from '../../shared/applicant.js';
import { Score } from '../../shared/score.js';
import {
  Accepted,
  BatchResult,
  Decision,
  JobStatus,
  Probability,
  Problem,
  Reasons,
  RiskCategory,
  batchRequest,
  jobRequest,
} from '../contract.js';

const header = (description: string, example?: string) => ({
  description,
  schema: { type: 'string' as const, example },
});
const SCORED_HEADERS = {
  'X-Cache': header('HIT when answered from the cache, MISS when the model ran for this request', 'HIT'),
  'Cache-Status': header('RFC 9211 cache status', 'credit-scoring; hit'),
  'X-Model-Version': header('Version of the model that answered (8 hex digits of its sha256)', '79144bd9'),
  'X-Request-Id': header('The request id: yours from X-Request-Id, or a new one'),
};
const ACCEPTED_HEADERS = {
  Location: header('Where to poll: /jobs/{id}', '/jobs/79144bd9-3030002'),
  'Retry-After': header('Seconds to wait before polling', '1'),
  'Preference-Applied': header('The Prefer preferences honoured (RFC 7240)', 'respond-async'),
  'X-Model-Version': SCORED_HEADERS['X-Model-Version'],
};

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const problem = (description: string): ResponseConfig => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});
const ERRORS: Record<number, ResponseConfig> = {
  400: problem('Malformed JSON'),
  413: problem('Body too large'),
  415: problem('Content-Type is not JSON'),
  422: problem('Invalid fields: `errors` lists each field path (JSON pointer) and reason'),
  429: problem('This client sent more than RATE_LIMIT_MISSES requests with misses in the window; see Retry-After'),
  502: problem('The job failed after all its retries'),
  503: problem('Redis unreachable, or too many jobs waiting (QUEUE_FULL); see Retry-After'),
};
const PREFER = {
  name: 'Prefer',
  in: 'header' as const,
  required: false,
  description: '`respond-async` to get 202 at once, or `wait=N` (seconds, capped) to set the wait budget (RFC 7240)',
  schema: { type: 'string' as const, example: 'wait=10' },
};

function syncScoring(registry: OpenAPIRegistry, path: string, summary: string, request: z.ZodType, answer: z.ZodType) {
  registry.registerPath({
    method: 'post',
    path,
    summary,
    tags: ['scoring'],
    parameters: [PREFER],
    request: { body: { content: json(request), required: true } },
    responses: {
      200: { description: 'Answered', headers: SCORED_HEADERS, content: json(answer) },
      202: {
        description: 'Not answered within the wait budget; poll Location',
        headers: ACCEPTED_HEADERS,
        content: json(Accepted),
      },
      ...ERRORS,
    },
  });
}

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests, so the
 * docs cannot drift from the gateway. `basePath` is where the API is served (BASE_PATH).
 */
export function openApiDocument(basePath: string, batchMaxItems: number) {
  const registry = new OpenAPIRegistry();
  syncScoring(registry, '/decisions', 'ACCEPT or DECLINE', Applicant, Decision);
  syncScoring(registry, '/probabilities', 'Probability of default, 0..1', Applicant, Probability);
  syncScoring(registry, '/risk_categories', 'LOW, MEDIUM or HIGH', Applicant, RiskCategory);
  syncScoring(
    registry,
    '/scores',
    'All three answers, principal reasons, expected costs and the model version',
    Applicant,
    Score,
  );
  syncScoring(
    registry,
    '/reasons',
    'Up to four principal reasons for the probability of default, strongest first',
    Applicant,
    Reasons,
  );
  syncScoring(
    registry,
    '/scores/batch',
    `Up to ${batchMaxItems} applicants, results in request order`,
    batchRequest(batchMaxItems),
    BatchResult,
  );

  registry.registerPath({
    method: 'post',
    path: '/jobs',
    summary: 'Submit one applicant or a batch; poll the Location',
    tags: ['jobs'],
    request: { body: { content: json(jobRequest(batchMaxItems)), required: true } },
    responses: {
      200: { description: 'Already cached: completed at once', content: json(JobStatus) },
      202: { description: 'Accepted; poll Location', headers: ACCEPTED_HEADERS, content: json(Accepted) },
      ...ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/jobs/{id}',
    summary: "A job's status, and its result once completed",
    tags: ['jobs'],
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', example: '79144bd9-3030002' } }],
    responses: {
      200: { description: 'Status (Retry-After while not finished)', content: json(JobStatus) },
      404: problem('Unknown job'),
    },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Credit scoring',
      version: '1.0.0',
      description: [
        'Scores loan applicants (German Credit data, logistic regression served as ONNX) behind a Redis cache and a BullMQ queue.',
        `See the [model card](${basePath}/model/MODEL_CARD.md), its [ROC curve](${basePath}/model/roc.svg) and [calibration plot](${basePath}/model/calibration.svg).`,
        'Operators: [Bull Board](' + basePath + '/admin/queues), `/metrics`, `/healthz`, `/readyz`.',
      ].join('\n\n'),
    },
    servers: [{ url: basePath || '/' }],
  });
}
