import { createDecipheriv, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BrokenSeal } from '../../shared/errors.js';
import { JobSeal } from '../../shared/job-seal.js';
import { deriveKey } from '../../shared/secrets.js';
import { EXAMPLE_APPLICANT } from '../support/applicants.js';

const SECRET = 'unit-test-secret-of-at-least-32-characters';
const seal = new JobSeal(deriveKey(SECRET, 'job-seal'));
const items = [
  { id: 'q83vEjRWeJCrze8SNFZ4kA', applicant: { ...EXAMPLE_APPLICANT, age_in_years: 87 } },
  {
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    applicant: { ...EXAMPLE_APPLICANT, personal_status_and_sex: 'female: single' as const },
  },
];

describe('JobSeal: one authenticated seal per job', () => {
  it('round-trips the items; the sealed text shows none of their values', () => {
    const sealed = seal.seal(items);
    expect(seal.unseal(sealed)).toEqual(items);
    // Whole values as the plaintext spells them: a 2-digit age alone turns up in random base64 by chance.
    for (const value of ['"age_in_years":87', 'female', 'male: single', 'unemployed', items[0]!.id])
      expect(sealed).not.toContain(value);
  });

  it('is AES-256-GCM under the documented HKDF key: IV | tag | ciphertext, opened here with Node alone', () => {
    const bytes = Buffer.from(seal.seal(items), 'base64url');
    const key = Buffer.from(hkdfSync('sha256', SECRET, '', 'credit-scoring job-seal v1', 32));
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from('credit-scoring score job items v1'));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    expect(JSON.parse(plain)).toEqual(items);
  });

  it('a fresh IV each time: the same items never seal alike', () => {
    expect(seal.seal(items)).not.toBe(seal.seal(items));
  });

  it('another secret, an altered seal, or a truncated one -> BrokenSeal', () => {
    const sealed = seal.seal(items);
    const other = new JobSeal(deriveKey('another-secret-of-at-least-32-characters', 'job-seal'));
    expect(() => other.unseal(sealed)).toThrow(BrokenSeal);
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    expect(() => seal.unseal(bytes.toString('base64url'))).toThrow(BrokenSeal);
    expect(() => seal.unseal('abc')).toThrow(BrokenSeal);
  });
});
