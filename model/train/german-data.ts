import {
  FOREIGN_WORKER,
  PERSONAL_STATUS_AND_SEX,
  PRESENT_EMPLOYMENT_SINCE,
  type Applicant,
} from '../../shared/applicant.js';

/** Installment-rate code of the German Credit data: 1 = share < 0.20 … 4 = share ≥ 0.35. */
type InstallmentBand = 1 | 2 | 3 | 4;

/**
 * One applicant in the form the model sees it: the API's categorical strings and age,
 * with the installment share already reduced to the data's band code.
 */
export interface CreditRow {
  readonly installmentBand: InstallmentBand;
  readonly age_in_years: number;
  readonly foreign_worker: Applicant['foreign_worker'];
  readonly present_employment_since: Applicant['present_employment_since'];
  readonly personal_status_and_sex: Applicant['personal_status_and_sex'];
}

/** A training row: the applicant and whether the loan went bad (class 2 in the data). */
export interface LabelledRow extends CreditRow {
  readonly isBad: boolean;
}

const COLUMN_COUNT = 21;

// The shared value lists are in the order of the data's codes (A71…A75, A91…A95, A201/A202),
// so code prefix + (index + 1) names each value.
function codeTable<T extends string>(prefix: string, values: readonly T[]): ReadonlyMap<string, T> {
  return new Map(values.map((value, index) => [`${prefix}${index + 1}`, value]));
}

const EMPLOYMENT_BY_CODE = codeTable('A7', PRESENT_EMPLOYMENT_SINCE);
const PERSONAL_STATUS_BY_CODE = codeTable('A9', PERSONAL_STATUS_AND_SEX);
const FOREIGN_WORKER_BY_CODE = codeTable('A20', FOREIGN_WORKER);

function lookUp<T>(table: ReadonlyMap<string, T>, code: string, lineNumber: number): T {
  const value = table.get(code);
  if (value === undefined) throw new Error(`german.data line ${lineNumber}: unknown code ${code}`);
  return value;
}

function parseInteger(text: string, lineNumber: number): number {
  if (!/^\d+$/.test(text)) throw new Error(`german.data line ${lineNumber}: not an integer: ${text}`);
  return Number(text);
}

function parseBand(text: string, lineNumber: number): InstallmentBand {
  const code = parseInteger(text, lineNumber);
  if (code === 1 || code === 2 || code === 3 || code === 4) return code;
  throw new Error(`german.data line ${lineNumber}: installment code ${code} outside 1–4`);
}

function parseLine(line: string, lineNumber: number): LabelledRow {
  const columns = line.trim().split(/\s+/);
  if (columns.length !== COLUMN_COUNT) {
    throw new Error(`german.data line ${lineNumber}: ${columns.length} columns, expected ${COLUMN_COUNT}`);
  }
  // Columns are 1-based in the data's documentation: 7, 8, 9, 13, 20 and the class in 21.
  const column = (n: number): string => columns[n - 1] ?? '';
  const label = column(21);
  if (label !== '1' && label !== '2') throw new Error(`german.data line ${lineNumber}: class ${label}`);
  return {
    installmentBand: parseBand(column(8), lineNumber),
    age_in_years: parseInteger(column(13), lineNumber),
    foreign_worker: lookUp(FOREIGN_WORKER_BY_CODE, column(20), lineNumber),
    present_employment_since: lookUp(EMPLOYMENT_BY_CODE, column(7), lineNumber),
    personal_status_and_sex: lookUp(PERSONAL_STATUS_BY_CODE, column(9), lineNumber),
    isBad: label === '2',
  };
}

/**
 * Parses the text of `german.data` (Statlog German Credit) into the five API fields and the label.
 * Throws on any line that does not have 21 columns, a known code in each used column, or class 1/2.
 */
export function parseGermanData(text: string): LabelledRow[] {
  return text
    .split('\n')
    .map((line, index) => ({ line, lineNumber: index + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, lineNumber }) => parseLine(line, lineNumber));
}
