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
  return new RenderedJson([scoreBytes(score)]);
}

const RESULTS_OPEN = Buffer.from('{"results":[');
const COMMA = Buffer.from(',');
const RESULTS_CLOSE = Buffer.from(']}');

/**
 * Size of the pieces a many-score body is joined into. A batch of 1,000 is about 600 KB: as one Buffer
 * that was a fresh allocation per answer, which glibc maps from new pages (about 120 page faults and
 * 1.5 ms a batch, 16 % of the gateway's busy time in `--profile batch`), while pieces this small
 * reuse the heap's freed memory (7 faults, 0.17 ms). See BENCHMARKS.md, "A batch's answer in pieces".
 */
export const PIECE_BYTES = 16 * 1024;

/** `{"results":[...]}`, byte for byte what JSON.stringify writes for it, from each score's JSON, in pieces. */
export function resultsJson(scores: readonly Score[]): RenderedJson {
  const pieces: Buffer[] = [];
  let parts: Buffer[] = [RESULTS_OPEN];
  let size = RESULTS_OPEN.length;
  const add = (bytes: Buffer) => {
    if (size + bytes.length > PIECE_BYTES) {
      pieces.push(Buffer.concat(parts, size));
      parts = [];
      size = 0;
    }
    parts.push(bytes);
    size += bytes.length;
  };
  scores.forEach((score, i) => {
    if (i > 0) add(COMMA);
    add(scoreBytes(score));
  });
  add(RESULTS_CLOSE);
  pieces.push(Buffer.concat(parts, size));
  return new RenderedJson(pieces);
}
