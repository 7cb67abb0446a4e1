import { describe, expect, it } from 'vitest';
import { PIECE_BYTES, resultsJson, scoreJson } from '../../api/handlers/score-json.js';
import type { Score } from '../../shared/score.js';

/** A score of the shape the cache holds; `i` makes each one's JSON differ. */
function score(i: number): Score {
  return Object.freeze({
    decision: i % 2 === 0 ? 'DECLINE' : 'ACCEPT',
    probability: i / 1000,
    risk_category: 'HIGH',
    model_version: '79144bd9',
    reasons: [
      { code: 'FOREIGN_WORKER', field: 'foreign_worker', description: 'Foreign worker' },
      {
        code: 'INSTALMENTS_HIGH_SHARE_OF_INCOME',
        field: 'installment_rate_in_percentage_of_disposable_income',
        description: 'Instalments take a large share of disposable income',
      },
    ],
    expected_cost: { accept: i / 100, decline: 1 - i / 1000 },
  }) as Score;
}

describe('rendered answers: byte for byte what JSON.stringify writes', () => {
  it('one score: one piece, its JSON', () => {
    const rendered = scoreJson(score(7));
    expect(rendered.pieces).toHaveLength(1);
    expect(rendered.pieces[0]!.toString('utf8')).toBe(JSON.stringify(score(7)));
  });

  it('a batch of 1,000: pieces that join into JSON.stringify({ results }), none above PIECE_BYTES', () => {
    const scores = Array.from({ length: 1000 }, (_, i) => score(i));
    const { pieces } = resultsJson(scores);
    expect(Buffer.concat(pieces).toString('utf8')).toBe(JSON.stringify({ results: scores }));
    // One buffer per answer (about 600 KB for a batch of real scores) was a fresh allocation from new pages.
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(PIECE_BYTES);
  });

  it('no scores, and a single score: still the exact JSON', () => {
    expect(Buffer.concat(resultsJson([]).pieces).toString('utf8')).toBe('{"results":[]}');
    expect(Buffer.concat(resultsJson([score(1)]).pieces).toString('utf8')).toBe(
      JSON.stringify({ results: [score(1)] }),
    );
  });
});
