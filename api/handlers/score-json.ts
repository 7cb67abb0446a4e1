import type { Score } from '../../shared/score.js';
import { RenderedJson } from '../http/exchange.js';

/**
 * The JSON of frozen scores, by score. Scores read from the cache are frozen and shared by every
 * read of the same answer (shared/score-cache.ts), so a hit, or a batch of a thousand, renders no
 * score twice. Held weakly, so it holds no more than the scores alive: the cache's bounded memo of
 * decoded answers. A score that is not frozen (a miss's fresh answer) could change, and is rendered
 * each time.
 */
const rendered = new WeakMap<Score, Buffer>();

function scoreBytes(score: Score): Buffer {
  let bytes = rendered.get(score);
  if (!bytes) {
    bytes = Buffer.from(JSON.stringify(score));
    if (Object.isFrozen(score)) rendered.set(score, bytes);
  }
  return bytes;
}

/** One score's JSON, byte for byte what JSON.stringify writes. */
export function scoreJson(score: Score): RenderedJson {
  return new RenderedJson(scoreBytes(score));
}

const RESULTS_OPEN = Buffer.from('{"results":[');
const COMMA = Buffer.from(',');
const RESULTS_CLOSE = Buffer.from(']}');

/** `{"results":[...]}`, byte for byte what JSON.stringify writes for it, from each score's JSON. */
export function resultsJson(scores: readonly Score[]): RenderedJson {
  const parts: Buffer[] = [RESULTS_OPEN];
  scores.forEach((score, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(scoreBytes(score));
  });
  parts.push(RESULTS_CLOSE);
  return new RenderedJson(Buffer.concat(parts));
}
