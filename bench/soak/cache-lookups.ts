import { httpRequest } from '../http.js';

export interface CacheLookups {
  hits: number;
  misses: number;
}

/** `scoring_cache_lookups_total{endpoint="/scores",outcome="hit"} 123`: one series of the gateway's counter. */
const SERIES = /^scoring_cache_lookups_total\{[^}]*outcome="(hit|miss)"[^}]*\} (\S+)$/gm;

/**
 * Applicants the gateway found cached or not, summed over its endpoints, from its /metrics (basic
 * auth, as a scraper reads it): proof the soak's mix really hit and missed.
 */
export async function readCacheLookups(baseUrl: string, user: string, password: string): Promise<CacheLookups> {
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const { status, text } = await httpRequest(`${baseUrl}/metrics`, { headers: { authorization } });
  if (status !== 200) throw new Error(`gateway /metrics answered ${status}`);
  const lookups = { hits: 0, misses: 0 };
  for (const [, outcome, value] of text.matchAll(SERIES)) {
    if (outcome === 'hit') lookups.hits += Number(value);
    else lookups.misses += Number(value);
  }
  return lookups;
}
