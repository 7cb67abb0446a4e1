import type { AnswerChunk, RowChunk, RowProblem } from '../../shared/portfolio-chunk.js';
import { INVALID_ROW } from '../../shared/portfolio-chunk.js';
import type { Score } from '../../shared/score.js';

export type ResultsFormat = 'csv' | 'ndjson';

export const CSV_HEADER =
  'line,id,decision,probability,risk_category,reasons,expected_cost_accept,expected_cost_decline,model_version,errors\n';

/** RFC 4180 quoting, when a value needs it. */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function scoreCsv(score: Score): string {
  return [
    score.decision,
    score.probability,
    score.risk_category,
    score.reasons.map((reason) => reason.code).join(' '),
    score.expected_cost.accept,
    score.expected_cost.decline,
    score.model_version,
    '',
  ].join(',');
}

function problemsText(problems: RowProblem[]): string {
  return problems.map((problem) => `${problem.path || '/'}: ${problem.message}`).join('; ');
}

/**
 * One chunk's answers as text, one line per input row in input order: the score for a valid row
 * (the same fields as /scores), the field problems for an invalid one (the same as the 422s), or
 * why a row has no answer (`missing`: cancelled or failed before its chunk ran). Each distinct
 * answer is serialised once per chunk; text is made a slice of rows at a time, so a download never
 * holds a whole chunk's text.
 */
export class ChunkFormatter {
  private readonly rendered = new Map<number, string>();
  private readonly problemsAt: Map<number, RowProblem[]>;

  constructor(
    private readonly format: ResultsFormat,
    private readonly rows: RowChunk,
    private readonly answers: AnswerChunk,
    private readonly missing: string,
  ) {
    this.problemsAt = new Map(rows.problems);
  }

  get rowCount(): number {
    return this.rows.codes.length;
  }

  /** Rows `from` (inclusive) to `to` (exclusive). */
  lines(from: number, to: number): string {
    const { rows, answers, missing, rendered, problemsAt } = this;
    let out = '';
    for (let i = from; i < Math.min(to, rows.codes.length); i++) {
      const code = rows.codes[i]!;
      const line = rows.lines[i]!;
      const id = rows.ids?.[i] ?? null;
      const score = code === INVALID_ROW ? undefined : answers.get(code);
      if (this.format === 'ndjson') {
        const head = id === null ? `{"line":${line},` : `{"line":${line},"id":${JSON.stringify(id)},`;
        if (code === INVALID_ROW) out += `${head}"errors":${JSON.stringify(problemsAt.get(i) ?? [])}}\n`;
        else if (!score) out += `${head}"error":${JSON.stringify(missing)}}\n`;
        else {
          let body = rendered.get(code);
          if (body === undefined) rendered.set(code, (body = JSON.stringify(score).slice(1)));
          out += head + body + '\n';
        }
        continue;
      }
      const head = `${line},${id === null ? '' : csvCell(id)},`;
      if (code === INVALID_ROW) out += `${head},,,,,,,${csvCell(problemsText(problemsAt.get(i) ?? []))}\n`;
      else if (!score) out += `${head},,,,,,,${csvCell(missing)}\n`;
      else {
        let body = rendered.get(code);
        if (body === undefined) rendered.set(code, (body = scoreCsv(score)));
        out += head + body + '\n';
      }
    }
    return out;
  }
}
