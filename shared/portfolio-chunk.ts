import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BrokenChunk } from './errors.js';
import { reasonAt, REASONS } from './reasons.js';
import { DECISIONS, expectedCost, RISK_CATEGORIES, type Score } from './score.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
// v2: owned codes and ids as bytes; a chunk sealed in the v1 layout does not open as v2 (BrokenChunk).
const CONTEXT = 'credit-scoring portfolio chunk v2';

/** The sealed id length of a chunk in which no row has a client id. */
const NO_IDS = 0xffffffff;

/** The code of a row that failed validation: it has no applicant. */
export const INVALID_ROW = 0xffffffff;

/** One field problem of an invalid row, as the 422s word it. */
export interface RowProblem {
  path: string;
  message: string;
}

/**
 * One chunk of a portfolio's rows, reduced to what scoring and the results need: each row's
 * applicant code (the model's encoding, shared/model-encoding.ts) or INVALID_ROW, its input line,
 * the client's id if it sent one, and the problems of its invalid rows by position. `owned` holds
 * the codes that appear first in this chunk, in the whole portfolio: the chunk's job looks up and
 * scores those and no other, so each distinct code is looked up once and scored at most once per
 * portfolio, whichever worker runs which chunk.
 */
export interface RowChunk {
  codes: Uint32Array;
  lines: Uint32Array;
  owned: Uint32Array;
  ids: ClientIds | null;
  problems: Array<[index: number, problems: RowProblem[]]>;
}

/**
 * The clients' ids of a chunk's rows as UTF-8 bytes back to back, row i's from `ends[i - 1]` (0 for
 * the first) to `ends[i]`; an empty one means the row has none. Bytes, not strings: a chunk's
 * 50,000 ids would otherwise be 50,000 strings kept alive for as long as the chunk is built or
 * read, the bulk of what the gateway's heap held beyond the moment.
 */
export interface ClientIds {
  bytes: Buffer;
  ends: Uint32Array;
}

/** The answers of one chunk: one per code it owns, compact (decision, probability, risk and reasons). */
export type AnswerChunk = Map<number, Score>;

function bytesOf(values: Uint32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * `count` uint32s of `bytes` from `offset` (in this machine's byte order, as sealed), without a copy
 * when they sit 4-byte aligned in their ArrayBuffer (a typed array view requires it), with one otherwise.
 */
function uint32sAt(bytes: Buffer, offset: number, count: number): Uint32Array {
  const at = bytes.byteOffset + offset;
  if (at % 4 === 0) return new Uint32Array(bytes.buffer, at, count);
  return new Uint32Array(bytes.buffer.slice(at, at + count * 4));
}

/** Each id's length in bytes, 2 bytes each (little-endian): ids are short, and Redis holds them for days. */
function idLengths(ends: Uint32Array, count: number): Buffer {
  const lengths = Buffer.allocUnsafe(count * 2);
  for (let i = 0, start = 0; i < count; start = ends[i]!, i++) lengths.writeUInt16LE(ends[i]! - start, i * 2);
  return lengths;
}

/** The ends of the ids (ClientIds.ends) from their lengths at `offset`. */
function idEnds(plain: Buffer, offset: number, count: number): Uint32Array {
  const ends = new Uint32Array(count);
  for (let i = 0, end = 0; i < count; i++) ends[i] = end += plain.readUInt16LE(offset + i * 2);
  return ends;
}

/**
 * Seals chunks (AES-256-GCM, a fresh IV each) under a key derived from SERVICE_SECRET, bound to
 * their portfolio and position: applicant codes and client ids encode people, so what Redis holds
 * reads as noise, and a chunk cannot be swapped for another one.
 */
export class ChunkSeal {
  /** `key`: 32 bytes (deriveKey(secret, 'portfolio-chunk')). */
  constructor(private readonly key: Buffer) {}

  private aad(portfolioId: string, chunk: number, kind: 'rows' | 'answers'): Buffer {
    return Buffer.from(`${CONTEXT} ${kind} ${portfolioId} ${chunk}`);
  }

  private seal(plain: Buffer, aad: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(aad);
    const sealed = cipher.update(plain);
    // GCM is a stream mode: final() adds no bytes, only the tag, so the text is copied once, here.
    cipher.final();
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
  }

  private unseal(bytes: Buffer, aad: Buffer): Buffer {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES)).setAAD(aad);
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plain = decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES));
      decipher.final(); // checks the tag; adds no bytes (GCM)
      return plain;
    } catch (error) {
      throw new BrokenChunk('a portfolio chunk does not unseal under this SERVICE_SECRET', { cause: error });
    }
  }

  /**
   * Sealed rows: 8 bytes per row and 4 per owned code, plus the ids (2 bytes each for its length,
   * and its UTF-8) and the problems, plus 40 bytes. Throws RangeError for an id over 65,535 bytes
   * (the gateway takes ids of at most 200 characters).
   */
  sealRows(portfolioId: string, chunk: number, rows: RowChunk): Buffer {
    const count = rows.codes.length;
    const ids = rows.ids;
    const idBytes = ids ? (ids.ends[count - 1] ?? 0) : NO_IDS;
    const plain = Buffer.concat([
      Buffer.from(Uint32Array.of(count, rows.owned.length, idBytes).buffer),
      bytesOf(rows.codes),
      bytesOf(rows.lines),
      bytesOf(rows.owned),
      ...(ids ? [idLengths(ids.ends, count), ids.bytes.subarray(0, idBytes)] : []),
      Buffer.from(JSON.stringify(rows.problems)),
    ]);
    return this.seal(plain, this.aad(portfolioId, chunk, 'rows'));
  }

  /** Throws BrokenChunk. The arrays returned are views of one buffer: a chunk is copied once, when it is opened. */
  unsealRows(portfolioId: string, chunk: number, sealed: Buffer): RowChunk {
    const plain = this.unseal(sealed, this.aad(portfolioId, chunk, 'rows'));
    const head = uint32sAt(plain, 0, 3);
    const count = head[0]!;
    const owned = head[1]!;
    const idBytes = head[2]!;
    const codesAt = 12;
    const linesAt = codesAt + count * 4;
    const ownedAt = linesAt + count * 4;
    const lengthsAt = ownedAt + owned * 4;
    const hasIds = idBytes !== NO_IDS;
    const problemsAt = hasIds ? lengthsAt + count * 2 + idBytes : lengthsAt;
    return {
      codes: uint32sAt(plain, codesAt, count),
      lines: uint32sAt(plain, linesAt, count),
      owned: uint32sAt(plain, ownedAt, owned),
      ids: hasIds
        ? { ends: idEnds(plain, lengthsAt, count), bytes: plain.subarray(lengthsAt + count * 2, problemsAt) }
        : null,
      problems: JSON.parse(plain.toString('utf8', problemsAt)) as RowChunk['problems'],
    };
  }

  /** Sealed answers: per distinct code [code, decision, probability, risk + reason digits], as the cache stores them. */
  sealAnswers(portfolioId: string, chunk: number, answers: AnswerChunk, modelVersion: string): Buffer {
    const entries = [...answers].map(([code, score]) => [
      code,
      DECISIONS.indexOf(score.decision),
      score.probability,
      String(RISK_CATEGORIES.indexOf(score.risk_category)) +
        score.reasons.map((reason) => REASONS.findIndex((known) => known.code === reason.code).toString(36)).join(''),
    ]);
    const plain = Buffer.from(JSON.stringify({ v: modelVersion, a: entries }));
    return this.seal(plain, this.aad(portfolioId, chunk, 'answers'));
  }

  /** Throws BrokenChunk. */
  unsealAnswers(portfolioId: string, chunk: number, sealed: Buffer): AnswerChunk {
    const plain = this.unseal(sealed, this.aad(portfolioId, chunk, 'answers'));
    const { v, a } = JSON.parse(plain.toString('utf8')) as { v: string; a: Array<[number, number, number, string]> };
    return new Map(
      a.map(([code, d, p, r]) => [
        code,
        {
          decision: DECISIONS[d]!,
          probability: p,
          risk_category: RISK_CATEGORIES[Number(r[0])]!,
          model_version: v,
          reasons: [...r.slice(1)].map((digit) => reasonAt(parseInt(digit, 36))!),
          expected_cost: expectedCost(p),
        },
      ]),
    );
  }
}
