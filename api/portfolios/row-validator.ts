import { Applicant } from '../../shared/applicant.js';
import { keyedModelOfBuild } from '../../shared/key-encoding.js';
import { encodingCode } from '../../shared/model-encoding.js';
import type { RowProblem } from '../../shared/portfolio-chunk.js';
import { InvalidInput } from '../errors.js';
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

/** Distinct CSV field tuples remembered; portfolios repeat applicants, and a validation is the costly step. */
const MEMO_LIMIT = 100_000;

export type CheckedRow =
  { line: number; id: string | null; code: number } | { line: number; id: string | null; problems: RowProblem[] };

/**
 * Checks one row with the Applicant schema the JSON endpoints use (same paths and messages as their
 * 422s) and reduces it to the applicant's code; the client's `id` is set aside to be echoed.
 * CSV numbers are converted only when they read as numbers, so "abc" gets the schema's message.
 */
export class RowValidator {
  private readonly memo = new Map<string, number | RowProblem[]>();

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

  private checkCsv(fields: Record<string, string>): number | RowProblem[] {
    const memoKey = Object.values(fields).join('\u0000');
    const known = this.memo.get(memoKey);
    if (known !== undefined) return known;
    const candidate: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fields)) {
      candidate[name] =
        NUMERIC_FIELDS.has(name) && value !== '' && Number.isFinite(Number(value))
          ? Number(value)
          : value === ''
            ? undefined
            : value;
    }
    const outcome = checkFields(candidate);
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(memoKey, outcome);
    return outcome;
  }
}

function checkFields(fields: Record<string, unknown>): number | RowProblem[] {
  try {
    return Number(encodingCode(keyedModelOfBuild().encoding, parseInput(Applicant, fields)));
  } catch (error) {
    if (error instanceof InvalidInput) return error.problems;
    throw error;
  }
}
