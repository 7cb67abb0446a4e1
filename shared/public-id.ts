import { createCipheriv, createDecipheriv, randomBytes, type Cipher, type Decipher } from 'node:crypto';
import { BoundedMemo } from './bounded-memo.js';

/** Every public job id, single applicant or batch: 16 bytes in base64url. */
const PUBLIC_ID = /^[A-Za-z0-9_-]{22}$/;
const MODEL_VERSION = /^[0-9a-f]{8}$/;
const APPLICANT_CODE = /^\d{1,9}$/;
const BLOCK_BYTES = 16;
/** Bytes 9..15 of a block must be zero: a made-up id passes with probability 2^-56. */
const CHECK_FROM = 9;
/** Applicant ids remembered: every code of four model versions (3,600 each), so a hit encrypts nothing. */
const REMEMBERED_IDS = 16_384;

/**
 * Public job ids. A single applicant's id is one AES-256 block (ECB: one block, so no chaining to
 * get wrong) under a key derived from SERVICE_SECRET: [model version, 4 bytes | applicant code,
 * uint32 big-endian | the code's digit count, 1 byte (so leading zeros survive) | 7 zero bytes].
 * So it is deterministic (every gateway names an applicant alike: waits and coalescing key by it),
 * needs no storage, reads as noise without the secret, and cannot be made up: only the service can
 * name an applicant, so polling tells a client nothing about people it did not submit. Batch ids
 * are random 16 bytes in the same shape (never ones that decrypt to a valid block), so a reader
 * cannot tell the two apart.
 */
export class PublicIds {
  // One long-lived cipher each way: ECB without padding turns every 16-byte update into 16 bytes at once.
  private readonly cipher: Cipher;
  private readonly decipher: Decipher;
  private readonly applicantIds = new BoundedMemo<string>(REMEMBERED_IDS);

  /** `key`: 32 bytes (deriveKey(secret, 'public-id')). */
  constructor(key: Buffer) {
    this.cipher = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
    this.decipher = createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  }

  /** The id of one applicant under one model version; throws RangeError for a malformed version or code. */
  forApplicant(modelVersion: string, code: string): string {
    // Neither a valid version nor a valid code holds ':', so no other pair shares a remembered one's key.
    return this.applicantIds.get(`${modelVersion}:${code}`, () => this.encrypt(modelVersion, code));
  }

  private encrypt(modelVersion: string, code: string): string {
    if (!MODEL_VERSION.test(modelVersion)) throw new RangeError('a model version is 8 hex digits');
    if (!APPLICANT_CODE.test(code)) throw new RangeError('an applicant code is 1 to 9 decimal digits');
    const block = Buffer.alloc(BLOCK_BYTES);
    block.write(modelVersion, 0, 'hex');
    block.writeUInt32BE(Number(code), 4);
    block[8] = code.length;
    return this.cipher.update(block).toString('base64url');
  }

  /** The model version and code inside a single applicant's id; undefined for anything else (batch ids too). */
  parse(id: string): { modelVersion: string; code: string } | undefined {
    if (!PublicIds.isPublicId(id)) return undefined;
    const block = this.decipher.update(Buffer.from(id, 'base64url'));
    const digits = block[8]!;
    if (digits < 1 || digits > 9 || block.subarray(CHECK_FROM).some((byte) => byte !== 0)) return undefined;
    const code = String(block.readUInt32BE(4)).padStart(digits, '0');
    if (code.length !== digits) return undefined;
    return { modelVersion: block.subarray(0, 4).toString('hex'), code };
  }

  /** A fresh random batch id, in the shape of an applicant's id but never parsing as one. */
  newBatchId(): string {
    for (;;) {
      const id = randomBytes(BLOCK_BYTES).toString('base64url');
      if (!this.parse(id)) return id;
    }
  }

  /** Has the shape of an id this service gives out (22 base64url characters that decode to 16 bytes exactly). */
  static isPublicId(id: string): boolean {
    // The 22nd character carries 2 unused bits: only the canonical spelling counts, so one id has one name.
    return PUBLIC_ID.test(id) && Buffer.from(id, 'base64url').toString('base64url') === id;
  }
}
