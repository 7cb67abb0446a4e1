/** What a client asked for with `Prefer` (RFC 7240), and the preferences honoured, for `Preference-Applied`. */
export interface WaitPreference {
  waitMs: number;
  applied: string[];
}

/**
 * `respond-async` means: do not wait at all. `wait=N` (seconds) sets the budget, capped at `maxMs`.
 * Anything else in the header is ignored, as RFC 7240 asks.
 */
export function waitPreference(header: string | undefined, defaultMs: number, maxMs: number): WaitPreference {
  // Most requests send no Prefer at all: answer them without parsing.
  if (header === undefined) return { waitMs: defaultMs, applied: [] };
  const tokens = header
    .split(',')
    .map((token) => token.trim().toLowerCase().replace(/\s+/g, ''))
    .filter(Boolean);
  if (tokens.includes('respond-async')) return { waitMs: 0, applied: ['respond-async'] };
  const wait = tokens.map((token) => /^wait=(\d+)$/.exec(token)).find(Boolean);
  if (!wait) return { waitMs: defaultMs, applied: [] };
  const waitS = Math.min(Number(wait[1]), Math.floor(maxMs / 1000));
  return { waitMs: waitS * 1000, applied: [`wait=${waitS}`] };
}
