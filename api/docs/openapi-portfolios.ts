import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { Applicant } from '../../shared/applicant.js';
import { PortfolioResultLine, PortfolioStatus } from '../contract.js';
import { json, POLL_HEADERS, problem } from './openapi-responses.js';

const ID = { params: z.object({ id: z.string().describe('The id from Location or the 202 body') }) };
const RETRY_AFTER = {
  description: 'Seconds to wait before asking again',
  schema: { type: 'string' as const, example: '1' },
};
const CSV_EXAMPLE =
  'id,installment_rate_in_percentage_of_disposable_income,age_in_years,foreign_worker,present_employment_since,personal_status_and_sex\n' +
  'loan-1,0.25,30,yes,unemployed,male: single\n';

/** POST /portfolios and the paths of one portfolio (issue 14). */
export function portfolioPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'post',
    path: '/portfolios',
    operationId: 'submitPortfolio',
    summary: 'Upload up to PORTFOLIO_MAX_ROWS (1,000,000) applicants as CSV or NDJSON, streamed; poll the Location',
    description:
      'As soon as the upload is accepted to start, an informational `103 Early Hints` gives its Location, so the ' +
      'client can poll it (status `receiving`) while it still sends; the final answer comes once the whole file is ' +
      'stored. The upload must arrive within PORTFOLIO_UPLOAD_TIMEOUT_MS (30 min) and never pause for ' +
      'PORTFOLIO_IDLE_TIMEOUT_MS (30 s), or the connection is cut (408) and nothing is kept.',
    tags: ['portfolios'],
    security: [],
    request: {
      body: {
        required: true,
        content: {
          'text/csv': {
            schema: z
              .string()
              .describe('A header row naming the five Applicant fields, and optionally `id`; one applicant per row'),
            example: CSV_EXAMPLE,
          },
          'application/x-ndjson': {
            schema: z.string().describe('One Applicant object per line, optionally with an `id` (string or number)'),
            example: `{"id":"loan-1",${JSON.stringify(Applicant.meta()?.example).slice(1)}\n`,
          },
        },
      },
    },
    responses: {
      103: {
        description:
          'Early Hints, sent while the body is still arriving: where to watch the upload (curl -v shows it; node:http emits `information`; fetch skips it)',
        headers: {
          Location: { description: 'The portfolio: /portfolios/{id}', schema: { type: 'string' } },
          Link: { description: '`</portfolios/{id}>; rel="monitor"`', schema: { type: 'string' } },
        },
      },
      202: {
        description: 'The whole file is stored and queued; poll Location',
        headers: {
          Location: { description: 'Where to poll: /portfolios/{id}', schema: { type: 'string' } },
          'Retry-After': RETRY_AFTER,
        },
        content: json(PortfolioStatus),
      },
      400: problem('Broken CSV quoting'),
      413: problem(
        'More than PORTFOLIO_MAX_ROWS rows (TOO_MANY_ROWS), or a row over 64 KiB (LINE_TOO_LONG): nothing is kept',
      ),
      408: {
        description:
          'The upload took longer than PORTFOLIO_UPLOAD_TIMEOUT_MS, or its headers longer than HTTP_HEADERS_TIMEOUT_MS: the connection is closed and nothing is kept (no body)',
      },
      415: problem('Content-Type is neither text/csv nor application/x-ndjson'),
      422: problem('The CSV header lacks a field or names an unknown one (`/header/<name>`), or the file has no rows'),
      429: problem('Too many unfinished portfolios, or the write budget is spent', { 'Retry-After': RETRY_AFTER }),
      503: problem('Redis unreachable', { 'Retry-After': RETRY_AFTER }),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/portfolios/{id}',
    operationId: 'getPortfolio',
    summary: "A portfolio's status and counts",
    tags: ['portfolios'],
    security: [],
    request: ID,
    responses: {
      200: {
        description:
          'Status; Retry-After while not finished. While `receiving`, rows_total and rows_invalid count the rows stored so far (a chunk of PORTFOLIO_CHUNK_ROWS at a time)',
        headers: POLL_HEADERS,
        content: json(PortfolioStatus),
      },
      404: problem('Unknown portfolio'),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/portfolios/{id}',
    operationId: 'cancelPortfolio',
    summary: 'Cancel: chunks not yet run are removed; answers already computed stay readable',
    tags: ['portfolios'],
    security: [],
    request: ID,
    responses: {
      200: { description: 'The status after cancelling', content: json(PortfolioStatus) },
      404: problem('Unknown portfolio'),
      409: problem(
        'STILL_RECEIVING: the upload is still arriving; its client cancels it by closing the upload, and nothing is kept',
      ),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/portfolios/{id}/results',
    operationId: 'getPortfolioResults',
    summary: 'One answer per row, in input order, streamed: NDJSON, or CSV with Accept: text/csv',
    tags: ['portfolios'],
    security: [],
    request: ID,
    responses: {
      200: {
        description: 'Every row: its score, its field problems, or why it has no answer',
        content: {
          'application/x-ndjson': { schema: PortfolioResultLine },
          'text/csv': {
            schema: z
              .string()
              .describe(
                'Columns: line,id,decision,probability,risk_category,reasons,expected_cost_accept,expected_cost_decline,model_version,errors',
              ),
          },
        },
      },
      404: problem('Unknown portfolio'),
      409: problem('Not finished yet: poll the status first'),
    },
  });
}
