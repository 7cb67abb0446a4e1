import type { ApiResponse } from '../http/exchange.js';

/** RFC 9211 names the cache that answered; a miss was forwarded to the model and its answer stored. */
const CACHE_STATUS = { HIT: 'credit-scoring; hit', MISS: 'credit-scoring; fwd=miss; stored' } as const;

/** Seconds a client should wait before polling a job that is not finished. */
export const POLL_AFTER_S = 1;

export function jobLink(basePath: string, id: string): string {
  return `${basePath}/jobs/${id}`;
}

function preferenceHeaders(applied: readonly string[]): Record<string, string> {
  return applied.length > 0 ? { 'Preference-Applied': applied.join(', ') } : {};
}

/** 200 with an answer, and where it came from. */
export function scoredAnswer(
  body: unknown,
  cache: 'HIT' | 'MISS',
  modelVersion: string,
  applied: readonly string[],
): ApiResponse {
  return {
    status: 200,
    headers: {
      'X-Cache': cache,
      'Cache-Status': CACHE_STATUS[cache],
      'X-Model-Version': modelVersion,
      ...preferenceHeaders(applied),
    },
    body,
  };
}

/** 202: the work is accepted and goes on; poll Location. */
export function acceptedAnswer(
  basePath: string,
  id: string,
  modelVersion: string,
  applied: readonly string[],
): ApiResponse {
  const self = jobLink(basePath, id);
  return {
    status: 202,
    headers: {
      Location: self,
      'Retry-After': String(POLL_AFTER_S),
      'X-Cache': 'MISS',
      'Cache-Status': CACHE_STATUS.MISS.replace('; stored', ''),
      'X-Model-Version': modelVersion,
      ...preferenceHeaders(applied),
    },
    body: { id, status: 'queued', links: { self } },
  };
}
