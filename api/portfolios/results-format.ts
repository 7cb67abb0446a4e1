import { INVALID_ROW, type AnswerChunk, type RowChunk, type RowProblem } from '../../shared/portfolio-chunk.js';
import type { Score } from '../../shared/score.js';

export type ResultsFormat = 'csv' | 'ndjson';

export const CSV_HEADER =
  'line,id,decision,probability,risk_category,reasons,expected_cost_accept,expected_cost_decline,model_version,errors\n';

/** Room per row before a slice's buffer grows: a row with a short id and an answer takes about 200 bytes. */
const BYTES_PER_ROW_GUESS = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

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

/** UTF-8 that JSON.stringify would put between its quotes unchanged: no quote, backslash or control character. */
function isPlainJson(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte < 0x20 || byte === QUOTE || byte === BACKSLASH) return false;
  }
  return true;
}

/** A CSV cell that needs no quoting (csvCell's test, on bytes). */
function isPlainCsv(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte === COMMA || byte === QUOTE || byte === CR || byte === LF) return false;
  }
  return true;
}

/**
 * A portfolio's answers as bytes, one line per input row in input order: the score for a valid row
 * (the same fields as /scores), the field problems for an invalid one (the same as the 422s), or
 * why a row has no answer (`missing`: cancelled or failed before its code's chunk ran). Each
 * distinct answer is rendered once per download, as bytes; a slice of rows is written straight
 * into one buffer, so a download makes no string per row and never holds a whole chunk's text.
 */
export class ResultsFormatter {
  /** Per code, what follows the line and id: the answer's fields and the line break. */
  private readonly rendered = new Map<number, Buffer>();
  private readonly missingTail: Buffer;
  private out = Buffer.allocUnsafe(0);
  private at = 0;
  /** The invalid rows' problems by row, for the chunk being written: built once a chunk, not once a slice. */
  private problems: { of: RowChunk; at: Map<number, RowProblem[]> } | undefined;

  constructor(
    private readonly format: ResultsFormat,
    private readonly answers: AnswerChunk,
    missing: string,
  ) {
    this.missingTail = Buffer.from(
      format === 'ndjson' ? `"error":${JSON.stringify(missing)}}\n` : `,,,,,,,${csvCell(missing)}\n`,
    );
  }

  /**
   * Rows `from` (inclusive) to `to` (exclusive) of `rows`. Rendered into the formatter's own buffer,
   * reused from slice to slice, then read out as one string: a fresh Buffer per slice would be
   * memory outside the V8 heap, which V8 answers with a full collection every few megabytes; a
   * string under 128 KB is young garbage a scavenge frees.
   */
  lines(rows: RowChunk, from: number, to: number): string {
    const end = Math.min(to, rows.codes.length);
    this.at = 0;
    this.room(Math.max(0, end - from) * BYTES_PER_ROW_GUESS);
    if (this.problems?.of !== rows) this.problems = { of: rows, at: new Map(rows.problems) };
    const problemsAt = this.problems.at;
    const ids = rows.ids;
    for (let i = from; i < end; i++) {
      const code = rows.codes[i]!;
      const tail =
        code === INVALID_ROW ? this.problemsTail(problemsAt.get(i) ?? []) : (this.answerTail(code) ?? this.missingTail);
      // The id as offsets into the chunk's id bytes: a view per row would be an object per row.
      const idStart = ids && i > 0 ? ids.ends[i - 1]! : 0;
      const idEnd = ids ? ids.ends[i]! : 0;
      if (this.format === 'ndjson') this.ndjsonHead(rows.lines[i]!, ids?.bytes, idStart, idEnd);
      else this.csvHead(rows.lines[i]!, ids?.bytes, idStart, idEnd);
      this.put(tail, 0, tail.length);
    }
    return this.out.toString('utf8', 0, this.at);
  }

  /** `{"line":N,` or `{"line":N,"id":"…",`: the id is bytes[start, end), none when empty. */
  private ndjsonHead(line: number, bytes: Buffer | undefined, start: number, end: number): void {
    this.ascii('{"line":');
    this.digits(line);
    if (bytes && end > start) {
      this.ascii(',"id":');
      if (isPlainJson(bytes, start, end)) {
        this.ascii('"');
        this.put(bytes, start, end);
        this.ascii('"');
      } else this.text(JSON.stringify(bytes.toString('utf8', start, end)));
    }
    this.ascii(',');
  }

  /** `N,id,` (the id quoted when it must be). */
  private csvHead(line: number, bytes: Buffer | undefined, start: number, end: number): void {
    this.digits(line);
    this.ascii(',');
    if (bytes && end > start) {
      if (isPlainCsv(bytes, start, end)) this.put(bytes, start, end);
      else this.text(csvCell(bytes.toString('utf8', start, end)));
    }
    this.ascii(',');
  }

  private answerTail(code: number): Buffer | undefined {
    let tail = this.rendered.get(code);
    if (tail) return tail;
    const score = this.answers.get(code);
    if (!score) return undefined;
    tail = Buffer.from(this.format === 'ndjson' ? `${JSON.stringify(score).slice(1)}\n` : `${scoreCsv(score)}\n`);
    this.rendered.set(code, tail);
    return tail;
  }

  private problemsTail(problems: RowProblem[]): Buffer {
    return Buffer.from(
      this.format === 'ndjson'
        ? `"errors":${JSON.stringify(problems)}}\n`
        : `,,,,,,,${csvCell(problemsText(problems))}\n`,
    );
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.at + bytes));
    this.out.copy(grown, 0, 0, this.at);
    this.out = grown;
  }

  private put(bytes: Buffer, start: number, end: number): void {
    this.room(end - start);
    if (start === 0 && end === bytes.length) {
      this.at += bytes.copy(this.out, this.at);
      return;
    }
    // Byte by byte: Buffer.copy of part of a buffer makes a view object first, one per row here.
    const out = this.out;
    for (let i = start; i < end; i++) out[this.at++] = bytes[i]!;
  }

  private ascii(text: string): void {
    this.room(text.length);
    this.at += this.out.write(text, this.at, 'latin1');
  }

  private text(text: string): void {
    this.room(Buffer.byteLength(text));
    this.at += this.out.write(text, this.at, 'utf8');
  }

  /** A non-negative integer in decimal, without making a string of it. */
  private digits(value: number): void {
    let width = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) width += 1;
    this.room(width);
    for (let i = width - 1, rest = value; i >= 0; i--, rest = Math.floor(rest / 10))
      this.out[this.at + i] = 48 + (rest % 10);
    this.at += width;
  }
}
