import { Applicant } from '../../shared/applicant.js';
import { InvalidInput } from '../../shared/errors.js';
import { keyedModelOfBuild } from '../../shared/key-encoding.js';
import { encodingCode, levelCount, levelOf } from '../../shared/model-encoding.js';
import type { RowProblem } from '../../shared/portfolio-chunk.js';
import { parseInput } from '../http/validation.js';
import type { RawRow } from './row-reader.js';

/** The longest client id echoed back; longer ones make the row invalid rather than the results huge. */
export const MAX_CLIENT_ID_CHARS = 200;

/** CSV cells are strings: these fields are numbers to the schema. */
const NUMERIC_FIELDS = new Set<string>(
  keyedModelOfBuild()
    .encoding.filter((spec) => spec.kind !== 'oneHot')
    .map((spec) => spec.field),
);

/** Distinct cells remembered per column: a column repeats few values, and validating one is the costly step. */
const MEMO_LIMIT = 10_000;

const ENCODING = keyedModelOfBuild().encoding;
/** Each field's place value in the applicant code (mixed radix, first field most significant). */
const PLACE = ENCODING.map((_, i) => ENCODING.slice(i + 1).reduce((product, spec) => product * levelCount(spec), 1));
/** Shape order: the order the schema reports problems in, as a 422 lists them. */
const FIELDS = Object.keys(Applicant.shape) as Array<keyof Applicant>;

export type CheckedRow =
  { line: number; id: string | null; code: number } | { line: number; id: string | null; problems: RowProblem[] };

/**
 * Checks one row with the Applicant schema the JSON endpoints use (same paths and messages as their
 * 422s) and reduces it to the applicant's code; the client's `id` is set aside to be echoed.
 * CSV numbers are converted only when they read as numbers, so "abc" gets the schema's message.
 */
export class RowValidator {
  private readonly memo = new Map<string, Map<string, number | RowProblem[]>>();

  check(row: RawRow): CheckedRow {
    const { id: rawId, ...fields } = row.fields ?? {};
    const id = rawId === undefined || rawId === '' || rawId === null ? null : rawId;
    if (
      id !== null &&
      ((typeof id !== 'string' && typeof id !== 'number') || String(id).length > MAX_CLIENT_ID_CHARS)
    ) {
      return {
        line: row.line,
        id: null,
        problems: [{ path: '/id', message: `a string of at most ${MAX_CLIENT_ID_CHARS} characters, or a number` }],
      };
    }
    const clientId = id === null ? null : String(id);
    if (row.unreadable !== undefined)
      return { line: row.line, id: clientId, problems: [{ path: '', message: row.unreadable }] };
    const outcome = row.fromCsv ? this.checkCsv(fields as Record<string, string>) : checkFields(fields);
    return typeof outcome === 'number'
      ? { line: row.line, id: clientId, code: outcome }
      : { line: row.line, id: clientId, problems: outcome };
  }

  /**
   * A CSV row, column by column: the schema's fields are independent, so each cell is checked (with
   * the field's own schema, so paths and messages are the 422's) and reduced to its level once per
   * distinct value, and the code is the levels' sum by place value.
   */
  private checkCsv(fields: Record<string, string>): number | RowProblem[] {
    let code = 0;
    let problems: RowProblem[] | undefined;
    for (const field of FIELDS) {
      const cell = fields[field] ?? '';
      let memo = this.memo.get(field);
      if (!memo) this.memo.set(field, (memo = new Map()));
      let outcome = memo.get(cell);
      if (outcome === undefined) {
        outcome = checkCell(field, cell);
        if (memo.size >= MEMO_LIMIT) memo.clear();
        memo.set(cell, outcome);
      }
      if (typeof outcome === 'number') code += outcome;
      else (problems ??= []).push(...outcome);
    }
    return problems ?? code;
  }
}

/** One CSV cell: its share of the applicant code (level × place value), or its problems. */
function checkCell(field: keyof Applicant, cell: string): number | RowProblem[] {
  const value =
    NUMERIC_FIELDS.has(field) && cell !== '' && Number.isFinite(Number(cell))
      ? Number(cell)
      : cell === ''
        ? undefined
        : cell;
  try {
    const parsed = parseInput(Applicant.pick({ [field]: true } as Record<keyof Applicant, true>), { [field]: value });
    const at = ENCODING.findIndex((spec) => spec.field === field);
    return levelOf(ENCODING[at]!, parsed as Applicant) * PLACE[at]!;
  } catch (error) {
    if (error instanceof InvalidInput) return error.problems;
    throw error;
  }
}

function checkFields(fields: Record<string, unknown>): number | RowProblem[] {
  try {
    return Number(encodingCode(ENCODING, parseInput(Applicant, fields)));
  } catch (error) {
    if (error instanceof InvalidInput) return error.problems;
    throw error;
  }
}
