import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { Applicant } from '../../shared/applicant.js';
import { Score } from '../../shared/score.js';
import {
  Accepted,
  BatchResult,
  Decision,
  Health,
  JobStatus,
  Landing,
  Probability,
  Ready,
  Reasons,
  RiskCategory,
  batchRequest,
  jobRequestDocument,
} from '../contract.js';
import { portfolioPaths } from './openapi-portfolios.js';
import {
  ACCEPTED_HEADERS,
  COMPLETED_HEADERS,
  PLAIN_HEADERS,
  POLL_HEADERS,
  SCORED_HEADERS,
  SCORING_ERRORS,
  UNAUTHORIZED,
  json,
  problem,
} from './openapi-responses.js';

/** Bull Board and /metrics: HTTP basic auth (ADMIN_USER / ADMIN_PASSWORD). */
const ADMIN_AUTH = 'adminBasicAuth';
const PUBLIC: RouteConfig['security'] = [];
const ADMIN: RouteConfig['security'] = [{ [ADMIN_AUTH]: [] }];

const PREFER = {
  name: 'Prefer',
  in: 'header' as const,
  required: false,
  description: '`respond-async` to get 202 at once, or `wait=N` (seconds, capped) to set the wait budget (RFC 7240)',
  schema: { type: 'string' as const, example: 'wait=10' },
};

function syncScoring(
  registry: OpenAPIRegistry,
  path: string,
  operationId: string,
  summary: string,
  request: z.ZodType,
  answer: z.ZodType,
) {
  registry.registerPath({
    method: 'post',
    path,
    operationId,
    summary,
    tags: ['scoring'],
    security: PUBLIC,
    parameters: [PREFER],
    request: { body: { content: json(request), required: true } },
    responses: {
      200: { description: 'Answered', headers: SCORED_HEADERS, content: json(answer) },
      202: {
        description: 'Not answered within the wait budget; poll Location',
        headers: ACCEPTED_HEADERS,
        content: json(Accepted),
      },
      ...SCORING_ERRORS,
    },
  });
}

function jobPaths(registry: OpenAPIRegistry, batchMaxItems: number) {
  registry.registerPath({
    method: 'post',
    path: '/jobs',
    operationId: 'submitJob',
    summary: 'Submit one applicant or a batch; poll the Location',
    tags: ['jobs'],
    security: PUBLIC,
    request: { body: { content: json(jobRequestDocument(batchMaxItems)), required: true } },
    responses: {
      200: { description: 'Already cached: completed at once', headers: COMPLETED_HEADERS, content: json(JobStatus) },
      202: { description: 'Accepted; poll Location', headers: ACCEPTED_HEADERS, content: json(Accepted) },
      ...SCORING_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/jobs/{id}',
    operationId: 'getJob',
    summary: "A job's status, and its result once completed",
    tags: ['jobs'],
    security: PUBLIC,
    request: { params: z.object({ id: z.string().describe('The id from Location or the 202 body') }) },
    responses: {
      200: { description: 'Status; Retry-After while not finished', headers: POLL_HEADERS, content: json(JobStatus) },
      404: problem('Unknown job'),
    },
  });
}

function operationPaths(registry: OpenAPIRegistry) {
  registry.registerPath({
    method: 'get',
    path: '/',
    operationId: 'getLanding',
    summary: 'Where to go next: docs, board, health, model card (HTML for a browser)',
    tags: ['operations'],
    security: PUBLIC,
    responses: {
      200: {
        description: 'Links, as JSON or as a page, by Accept',
        headers: PLAIN_HEADERS,
        content: { ...json(Landing), 'text/html': { schema: z.string() } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    summary: 'Liveness: the process answers',
    tags: ['operations'],
    security: PUBLIC,
    responses: { 200: { description: 'Alive', headers: PLAIN_HEADERS, content: json(Health) } },
  });
  registry.registerPath({
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'Readiness: Redis answers and a worker is listening',
    tags: ['operations'],
    security: PUBLIC,
    responses: {
      200: { description: 'Ready to score', headers: PLAIN_HEADERS, content: json(Ready) },
      503: problem('Not ready (NOT_READY): the detail says why'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics of this gateway (each worker serves its own on WORKER_METRICS_PORT)',
    tags: ['operations'],
    security: ADMIN,
    responses: {
      200: {
        description: 'Prometheus text format',
        headers: PLAIN_HEADERS,
        content: { 'text/plain': { schema: z.string() } },
      },
      401: UNAUTHORIZED,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/admin/queues',
    operationId: 'getQueueBoard',
    summary: 'Bull Board, for operators (a page, and its API below this path)',
    tags: ['operations'],
    security: ADMIN,
    responses: {
      200: { description: 'The board', headers: PLAIN_HEADERS, content: { 'text/html': { schema: z.string() } } },
      401: UNAUTHORIZED,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    tags: ['operations'],
    security: PUBLIC,
    responses: {
      200: {
        description: 'OpenAPI 3.1',
        headers: PLAIN_HEADERS,
        content: { 'application/json': { schema: z.object({}).passthrough() } },
      },
    },
  });
}

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests, so the
 * docs cannot drift from the gateway. `basePath` is where the API is served (BASE_PATH).
 */
export function openApiDocument(basePath: string, batchMaxItems: number) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', ADMIN_AUTH, {
    type: 'http',
    scheme: 'basic',
    description: 'ADMIN_USER / ADMIN_PASSWORD',
  });
  syncScoring(registry, '/decisions', 'decide', 'ACCEPT or DECLINE', Applicant, Decision);
  syncScoring(
    registry,
    '/probabilities',
    'probabilityOfDefault',
    'Probability of default, 0..1',
    Applicant,
    Probability,
  );
  syncScoring(registry, '/risk_categories', 'riskCategory', 'LOW, MEDIUM or HIGH', Applicant, RiskCategory);
  syncScoring(
    registry,
    '/scores',
    'score',
    'All three answers, principal reasons, expected costs and the model version',
    Applicant,
    Score,
  );
  syncScoring(
    registry,
    '/reasons',
    'principalReasons',
    'Up to four principal reasons for the probability of default, strongest first',
    Applicant,
    Reasons,
  );
  syncScoring(
    registry,
    '/scores/batch',
    'scoreBatch',
    `Up to ${batchMaxItems} applicants, results in request order`,
    batchRequest(batchMaxItems),
    BatchResult,
  );
  jobPaths(registry, batchMaxItems);
  portfolioPaths(registry);
  operationPaths(registry);

  // oneOf: every union here is exclusive (one applicant or a batch; a score or a list of scores).
  return new OpenApiGeneratorV31(registry.definitions, { unionPreferredType: 'oneOf' }).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Credit scoring',
      version: '1.0.0',
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
      description: [
        'Scores loan applicants (German Credit data, logistic regression served as ONNX) behind a Redis cache and a BullMQ queue.',
        `See the [model card](${basePath}/model/MODEL_CARD.md), its [ROC curve](${basePath}/model/roc.svg) and [calibration plot](${basePath}/model/calibration.svg).`,
        'Operators: [Bull Board](' + basePath + '/admin/queues), `/metrics`, `/healthz`, `/readyz`.',
      ].join('\n\n'),
    },
    servers: [{ url: basePath || '/' }],
    tags: [
      { name: 'scoring', description: 'Synchronous answers (202 and a job when the model is slow)' },
      { name: 'jobs', description: 'Asynchronous submission and polling' },
      { name: 'portfolios', description: 'A whole book as one file in (CSV or NDJSON), one file out' },
      { name: 'operations', description: 'Landing page, health, readiness, metrics, the queue board' },
    ],
  });
}
