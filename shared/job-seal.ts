import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Applicant } from './applicant.js';
import { BrokenSeal } from './errors.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Binds a seal to its use: a sealed job cannot be passed off as anything else sealed under the same key. */
const CONTEXT = Buffer.from('credit-scoring score job items v1');

/** What a job's seal holds: each applicant under its public id. */
export const SealedItems = z.array(z.object({ id: z.string(), applicant: Applicant }));
export type SealedItems = z.infer<typeof SealedItems>;

/**
 * Seals a job's applicants (AES-256-GCM, one seal per job, a fresh 96-bit IV each) under a key
 * derived from SERVICE_SECRET, so the job data in Redis and in Bull Board holds nothing an operator
 * can read back into a person; the worker, which shares the secret, unseals it. A seal is
 * authenticated: altered data never reaches the model.
 */
export class JobSeal {
  /** `key`: 32 bytes (deriveKey(secret, 'job-seal')). */
  constructor(private readonly key: Buffer) {}

  /** base64url of IV | tag | ciphertext. */
  seal(items: SealedItems): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(CONTEXT);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(items)), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  /** The items back; throws BrokenSeal when the seal is not this key's, altered, or not job items. */
  unseal(sealed: string): SealedItems {
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new BrokenSeal('too short to be a seal');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES)).setAAD(CONTEXT);
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      return SealedItems.parse(JSON.parse(plain.toString('utf8')));
    } catch (error) {
      throw new BrokenSeal('the job data does not unseal under this SERVICE_SECRET', { cause: error });
    }
  }
}
