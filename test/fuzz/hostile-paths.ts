import fc from 'fast-check';
import { SINGLE_PATHS } from './hostile-bodies.js';

/**
 * Generators of requests on the gateway's other surface: job ids a client makes up (GET /jobs/{id})
 * and methods an endpoint does not take. None of them names work the gateway knows, so every answer
 * must be a 4xx problem and nothing may reach Redis.
 */

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

/** What shared/keys.ts applicantCode can produce: band 1–4, age 018–120, then three category indexes. */
const applicantCode = fc
  .tuple(
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 18, max: 120 }),
    fc.integer({ min: 0, max: 1 }),
    fc.integer({ min: 0, max: 4 }),
    fc.integer({ min: 0, max: 4 }),
  )
  .map(
    ([band, age, foreign, employment, status]) =>
      `${band}${String(age).padStart(3, '0')}${foreign}${employment}${status}`,
  );

/** Raw path segments, sent as they are: traversal, encoded separators, broken percent-encoding. */
const RAW_SEGMENTS = [
  '..',
  '.',
  '%2e%2e',
  '..%2F..%2Fadmin%2Fqueues',
  '%2F',
  '%5C',
  '%00',
  '%',
  '%%',
  '%E0%A4%A',
  '%ZZ',
  '%C0%AE%C0%AE',
  '%FF',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'batch-',
  'batch-%30',
  '79144bd9-',
  '-3030002',
];

/**
 * The spelling of a job id the service gives out, from the README rather than the code: 16 bytes in
 * canonical unpadded base64url, 22 characters whose last carries 4 unused bits (so only A, Q, g, w).
 */
const WELL_FORMED_ID = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/** One made-up job id as it goes on the wire, and whether the gateway must answer exactly 404. */
export interface HostileJobPath {
  path: string;
  /** Well-formed ids that name no job: the README's "unknown ids answer 404". */
  expectNotFound: boolean;
  /**
   * The id the gateway decodes from the path is well-formed: its poll costs the client one unit of
   * its write budget (the counter is the one key such a poll may leave).
   */
  wellFormed: boolean;
}

function decodedSegment(path: string): string | undefined {
  try {
    return decodeURIComponent(path.slice('/jobs/'.length));
  } catch {
    return undefined;
  }
}

function jobPath(path: string, expectNotFound: boolean): HostileJobPath {
  return { path, expectNotFound, wellFormed: WELL_FORMED_ID.test(decodedSegment(path) ?? '') };
}

export function hostileJobPath(modelVersion: string): fc.Arbitrary<HostileJobPath> {
  const encoded = (id: fc.Arbitrary<string>) => id.map((value) => jobPath(`/jobs/${encodeURIComponent(value)}`, true));
  return fc.oneof(
    // Well-formed and unknown: read from Redis (a batch record that is not there), so each costs budget.
    encoded(fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString('base64url'))),
    // Ids in an older spelling (model version and applicant code): not well-formed, 404 without Redis.
    encoded(applicantCode.map((code) => `${modelVersion}-${code}`)),
    encoded(fc.tuple(hex(8), applicantCode).map(([version, code]) => `${version}-${code}`)),
    encoded(hex(32).map((id) => `batch-${id}`)),
    encoded(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 })),
    encoded(fc.string({ unit: 'binary', minLength: 1, maxLength: 60 })),
    encoded(fc.integer({ min: 1000, max: 6000 }).map((n) => 'a'.repeat(n))),
    fc
      .array(fc.constantFrom(...RAW_SEGMENTS), { minLength: 1, maxLength: 3 })
      // A few joins are well-formed ids by chance (`batch-` `-3030002` `toString`): they must cost budget too.
      .map((segments) => jobPath(`/jobs/${segments.join('')}`, false)),
  );
}

/** A method an endpoint does not serve. HEAD and OPTIONS are left out: they answer without a body. */
export const wrongMethod: fc.Arbitrary<{ method: string; path: string }> = fc
  .oneof(
    fc.tuple(fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE'), fc.constantFrom(...SINGLE_PATHS, '/scores/batch')),
    fc.tuple(fc.constantFrom('PUT', 'PATCH', 'DELETE'), fc.constant('/jobs')),
    fc.tuple(fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'), fc.constant('/jobs/79144bd9-3030002')),
  )
  .map(([method, path]) => ({ method, path }));
