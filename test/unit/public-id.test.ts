import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PublicIds } from '../../shared/public-id.js';
import { deriveKey } from '../../shared/secrets.js';

const SECRET = 'unit-test-secret-of-at-least-32-characters';
const ids = new PublicIds(deriveKey(SECRET, 'public-id'));

/** The block behind an id, decrypted here with Node's primitives and the documented HKDF info, not the module. */
function openBlock(id: string, secret = SECRET): Buffer {
  const key = Buffer.from(hkdfSync('sha256', secret, '', 'credit-scoring public-id v1', 32));
  const decipher = createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(id, 'base64url')), decipher.final()]);
}

describe('PublicIds: opaque, deterministic, unforgeable job ids', () => {
  it('an id is one AES-256 block [version | code uint32 BE | digit count | 7 zero bytes] in base64url', () => {
    const id = ids.forApplicant('79144bd9', '3030002');
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(openBlock(id).toString('hex')).toBe(
      '79144bd9' + (3030002).toString(16).padStart(8, '0') + '07' + '00'.repeat(7),
    );
  });

  it('reveals neither the model version nor the code, and is the same every time (and on every gateway)', () => {
    const id = ids.forApplicant('79144bd9', '3030002');
    expect(id).not.toContain('3030002');
    expect(id).not.toContain('79144bd9');
    expect(new PublicIds(deriveKey(SECRET, 'public-id')).forApplicant('79144bd9', '3030002')).toBe(id);
    expect(ids.forApplicant('79144bd9', '3030003')).not.toBe(id);
    const otherSecret = new PublicIds(deriveKey('another-secret-of-at-least-32-characters', 'public-id'));
    expect(otherSecret.forApplicant('79144bd9', '3030002')).not.toBe(id);
    expect(otherSecret.parse(id)).toBeUndefined();
  });

  it('parse gives back the version and the code, leading zeros included', () => {
    for (const code of ['3030002', '0012345', '0', '999999999', '1']) {
      expect(ids.parse(ids.forApplicant('0a1b2c3d', code))).toEqual({ modelVersion: '0a1b2c3d', code });
    }
    // The long-lived decipher answers every block by itself, in any order.
    const many = ['1', '22', '333'].map((code) => ids.forApplicant('ffffffff', code));
    expect(many.reverse().map((id) => ids.parse(id)?.code)).toEqual(['333', '22', '1']);
  });

  it('made-up ids, old `<version>-<code>` ids and non-canonical spellings do not parse', () => {
    const made = Array.from({ length: 20_000 }, () => randomBytes(16).toString('base64url'));
    expect(made.filter((id) => ids.parse(id) !== undefined)).toEqual([]);
    for (const id of ['79144bd9-3030002', '', 'a'.repeat(22), '../admin', 'x'.repeat(23)]) {
      expect(ids.parse(id)).toBeUndefined();
    }
    const id = ids.forApplicant('79144bd9', '3030002');
    const last = id.at(-1)!;
    // The last character carries two unused bits: flip one and the bytes decode the same.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const alias = id.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(Buffer.from(alias, 'base64url').equals(Buffer.from(id, 'base64url'))).toBe(true);
    expect(ids.parse(alias)).toBeUndefined();
  });

  it('batch ids have the same shape, are random, and never parse as an applicant', () => {
    const batches = Array.from({ length: 1000 }, () => ids.newBatchId());
    expect(new Set(batches).size).toBe(1000);
    for (const id of batches) {
      expect(PublicIds.isPublicId(id)).toBe(true);
      expect(ids.parse(id)).toBeUndefined();
    }
  });

  it('refuses a version or code it cannot encode', () => {
    expect(() => ids.forApplicant('79144bd', '1')).toThrow(RangeError);
    expect(() => ids.forApplicant('79144bd9', '1234567890')).toThrow(RangeError);
    expect(() => ids.forApplicant('79144bd9', '12a')).toThrow(RangeError);
  });
});
