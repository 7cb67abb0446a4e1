/**
 * The gateway's two HTTP lanes: the lean node:http lane for hot routes (the default) and plain Express.
 * Suites that pin the API's behaviour run once per lane, which proves the lanes answer identically.
 */
export const HTTP_LANES = [
  { lane: 'lean lane', env: { HTTP_LEAN_LANE: 'true' } },
  { lane: 'Express only', env: { HTTP_LEAN_LANE: 'false' } },
] as const;
