import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkBuilder } from '../../api/portfolios/chunk-builder.js';
import { ResultsFormatter } from '../../api/portfolios/results-format.js';
import { ChunkSeal, type AnswerChunk } from '../../shared/portfolio-chunk.js';
import { reasonAt } from '../../shared/reasons.js';
import type { Score } from '../../shared/score.js';

/** A score as /scores answers one (the fields and their order of the Score schema). */
const SCORE: Score = {
  decision: 'DECLINE',
  probability: 0.377148,
  risk_category: 'HIGH',
  model_version: '79144bd9',
  reasons: [reasonAt(0)!, reasonAt(3)!],
  expected_cost: { accept: 1.88574, decline: 0.622852 },
};

/** Ids a client may send: plain, with a comma, with quotes, with a backslash and a line break, non-ASCII, none. */
const ROWS = [
  { line: 2, id: 'L1', code: 7 },
  { line: 3, id: 'a,b', code: 7 },
  { line: 4, id: 'say "hi"', code: 9 },
  { line: 5, id: 'back\\slash\nbreak', code: 7 },
  { line: 6, id: 'prêt-✓', code: 7 },
  { line: 7, id: null, code: 7 },
  { line: 9, id: 'bad', problems: [{ path: '/age_in_years', message: 'Too small: expected number to be >=18' }] },
];

/** The rows through the intake's builder and the seal, as the download reads them. */
function storedChunk() {
  const builder = new ChunkBuilder(ROWS.length);
  for (const row of ROWS) builder.add(row);
  const seal = new ChunkSeal(randomBytes(32));
  return seal.unsealRows('p', 0, seal.sealRows('p', 0, builder.take()));
}

describe('ResultsFormatter: rows rendered through one reused buffer, as the text the results promise', () => {
  const answers: AnswerChunk = new Map([[7, SCORE]]);

  it('NDJSON: each line is the JSON of {line, id?, ...score} / {line, id, error} / {line, id, errors}; ids escaped as JSON escapes them', () => {
    const rows = storedChunk();
    const formatter = new ResultsFormatter('ndjson', answers, 'cancelled before this row was scored');

    // Two slices, as a download writes them.
    const text = formatter.lines(rows, 0, 4) + formatter.lines(rows, 4, 100);

    const expected = ROWS.map((row) => {
      const head = row.id === null ? { line: row.line } : { line: row.line, id: row.id };
      if (row.problems) return JSON.stringify({ ...head, errors: row.problems });
      if (row.code === 9) return JSON.stringify({ ...head, error: 'cancelled before this row was scored' });
      return JSON.stringify({ ...head, ...SCORE });
    });
    expect(text).toBe(expected.join('\n') + '\n');
  });

  it('CSV: ids quoted as RFC 4180 says (comma, quote, line break), answer cells in header order, problems and missing answers in `errors`', () => {
    const rows = storedChunk();
    const formatter = new ResultsFormatter('csv', answers, 'scoring failed for this row');

    const text = formatter.lines(rows, 0, ROWS.length);

    const answer =
      'DECLINE,0.377148,HIGH,' + `${reasonAt(0)!.code} ${reasonAt(3)!.code}` + ',1.88574,0.622852,79144bd9,';
    expect(text).toBe(
      [
        `2,L1,${answer}`,
        `3,"a,b",${answer}`,
        `4,"say ""hi""",,,,,,,,scoring failed for this row`,
        `5,"back\\slash\nbreak",${answer}`,
        `6,prêt-✓,${answer}`,
        `7,,${answer}`,
        `9,bad,,,,,,,,/age_in_years: Too small: expected number to be >=18`,
      ].join('\n') + '\n',
    );
  });
});
