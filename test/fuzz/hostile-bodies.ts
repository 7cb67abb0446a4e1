import fc from 'fast-check';
import { FOREIGN_WORKER, PERSONAL_STATUS_AND_SEX, PRESENT_EMPLOYMENT_SINCE } from '../../shared/applicant.js';

/**
 * Generators of request bodies the gateway must refuse, each invalid by construction: a body here
 * never describes a valid request, so every answer must be a 4xx problem and nothing may reach Redis.
 */

const FIELDS = [
  'installment_rate_in_percentage_of_disposable_income',
  'age_in_years',
  'foreign_worker',
  'present_employment_since',
  'personal_status_and_sex',
] as const;
type Field = (typeof FIELDS)[number];

export const SINGLE_PATHS = ['/decisions', '/probabilities', '/risk_categories', '/scores'] as const;
/** The fuzzed stack's BATCH_MAX_ITEMS: small, so oversized batches and bodies stay cheap. */
export const FUZZ_BATCH_MAX_ITEMS = 20;
/** What api/routes/scoring.ts allows: 16 KiB for one applicant, 512 bytes per batch item. */
const SINGLE_LIMIT_BYTES = 16 * 1024;
const BATCH_LIMIT_BYTES = FUZZ_BATCH_MAX_ITEMS * 512;

/** A body with a known defect: `pointer` is where a 422 must point (RFC 6901, relative to the body). */
interface Defective {
  value: unknown;
  pointer: string;
}

/** A JSON text with a known defect, for defects JSON.stringify cannot express (raw literals, duplicate keys). */
interface DefectiveText {
  text: string;
  pointer: string;
}

const escapePointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** Sets a property as an own, enumerable one, so `__proto__` is a key like any other in the JSON. */
function withOwn(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...target };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

const validApplicant = fc.record({
  installment_rate_in_percentage_of_disposable_income: fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
  age_in_years: fc.integer({ min: 18, max: 120 }),
  foreign_worker: fc.constantFrom(...FOREIGN_WORKER),
  present_employment_since: fc.constantFrom(...PRESENT_EMPLOYMENT_SINCE),
  personal_status_and_sex: fc.constantFrom(...PERSONAL_STATUS_AND_SEX),
});

const weirdString = fc.oneof(
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '-0',
    '0x1F',
    '30',
    '0.25',
    '',
    ' ',
    'null',
    'true',
    'yes ',
    'YES',
    'Yes',
    'male:single',
    '\u0000',
    '\ud800',
    '𝟛𝟘',
    '٣٠',
    '３０',
    'ｙｅｓ',
    '\u202eyes',
    'y\u200bes',
    '<script>alert(1)</script>',
    "'; DROP TABLE applicants; --",
    '${jndi:ldap://127.0.0.1/a}',
    '../../etc/passwd',
    '%00',
    '__proto__',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 100, max: 3000 }).map((n) => 'é'.repeat(n)),
);

const hugeNumber = fc.constantFrom(
  1e308,
  -1e308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 64,
  -(2 ** 31),
  Number.MIN_VALUE,
);

const deep = fc
  .tuple(fc.integer({ min: 10, max: 3000 }), fc.constantFrom('array' as const, 'object' as const))
  .map(([depth, kind]) => nested(depth, kind));

/** Any JSON value, hostile ones favoured. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  weirdString,
  hugeNumber,
  fc.constantFrom(null, true, false, {}, []),
  deep,
);

const notANumber = anyJson.filter((v) => typeof v !== 'number');
const isValidShare = (x: number) => x > 0 && x <= 1;
const isValidAge = (x: number) => Number.isInteger(x) && x >= 18 && x <= 120;

/** For each field, values it must refuse. (JSON turns NaN and ±Infinity into null, which is refused too.) */
const INVALID: Record<Field, fc.Arbitrary<unknown>> = {
  installment_rate_in_percentage_of_disposable_income: fc.oneof(
    notANumber,
    fc.double({ max: 0, noNaN: true }),
    fc.double({ min: 1, minExcluded: true, noNaN: true }),
    hugeNumber.filter((x) => !isValidShare(x)),
  ),
  age_in_years: fc.oneof(
    notANumber,
    fc.integer({ max: 17 }),
    fc.integer({ min: 121 }),
    fc.double({ noNaN: true }).filter((x) => !isValidAge(x)),
    hugeNumber.filter((x) => !isValidAge(x)),
  ),
  foreign_worker: fc.oneof(
    anyJson.filter((v) => typeof v !== 'string'),
    weirdString.filter((s) => !(FOREIGN_WORKER as readonly string[]).includes(s)),
  ),
  present_employment_since: fc.oneof(
    anyJson.filter((v) => typeof v !== 'string'),
    weirdString.filter((s) => !(PRESENT_EMPLOYMENT_SINCE as readonly string[]).includes(s)),
  ),
  personal_status_and_sex: fc.oneof(
    anyJson.filter((v) => typeof v !== 'string'),
    weirdString.filter((s) => !(PERSONAL_STATUS_AND_SEX as readonly string[]).includes(s)),
  ),
};

const field = fc.constantFrom(...FIELDS);

const extraKey = fc
  .oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'valueOf',
      'hasOwnProperty',
      '__defineGetter__',
      'then',
      'a/b',
      '~0',
      '~1/~',
      '',
      ' ',
      'Age_in_years',
      'age_in_years ',
      'AGE_IN_YEARS',
      '\u0000',
      '🙂',
      'x'.repeat(1000),
    ),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
  )
  .filter((key) => !(FIELDS as readonly string[]).includes(key));

/** One applicant with exactly-known defects. */
const defectiveApplicant: fc.Arbitrary<Defective> = fc.oneof(
  fc
    .tuple(validApplicant, field)
    .chain(([a, f]) => INVALID[f].map((v) => ({ value: { ...a, [f]: v }, pointer: `/${f}` }))),
  fc.tuple(validApplicant, fc.subarray([...FIELDS], { minLength: 1 })).map(([a, drop]) => ({
    value: Object.fromEntries(Object.entries(a).filter(([k]) => !(drop as string[]).includes(k))),
    pointer: `/${drop[0]!}`,
  })),
  fc
    .tuple(validApplicant, extraKey, anyJson)
    .map(([a, k, v]) => ({ value: withOwn(a, k, v), pointer: `/${escapePointer(k)}` })),
  // Not an object at all: scalars, arrays (of valid applicants, too), deep nesting.
  fc
    .oneof(
      anyJson.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
      fc.array(validApplicant, { maxLength: 3 }),
    )
    .map((value) => ({ value, pointer: '' })),
);

const RAW_LITERALS = [
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '0.0',
  '00',
  '01',
  '1.',
  '.5',
  '+1',
  'NaN',
  'Infinity',
  '0x10',
  '1_000',
  'nul',
  'true',
  '"\\ud800"',
  '"\\u0000"',
  '[]',
  '{}',
];

/** Applicant texts with raw literals (huge, tiny, malformed numbers) and duplicate keys whose last value is invalid. */
const defectiveApplicantText: fc.Arbitrary<DefectiveText> = fc.oneof(
  fc.tuple(validApplicant, field, fc.constantFrom(...RAW_LITERALS)).map(([a, f, raw]) => ({
    text: JSON.stringify({ ...a, [f]: '@@RAW@@' }).replace('"@@RAW@@"', raw),
    pointer: `/${f}`,
  })),
  fc.tuple(validApplicant, field).chain(([a, f]) =>
    INVALID[f].map((v) => ({
      text: `${JSON.stringify(a).slice(0, -1)},${JSON.stringify(f)}:${JSON.stringify(v) ?? 'null'}}`,
      pointer: `/${f}`,
    })),
  ),
);

function insertAt<T>(items: T[], index: number, item: unknown): unknown[] {
  return [...items.slice(0, index), item, ...items.slice(index)];
}

/** `applicants` arrays that must be refused, and where. */
const defectiveApplicants: fc.Arbitrary<Defective> = fc.oneof(
  fc.tuple(fc.array(validApplicant, { maxLength: 4 }), defectiveApplicant, fc.nat()).map(([items, d, at]) => {
    const index = at % (items.length + 1);
    return { value: insertAt(items, index, d.value), pointer: `/${index}${d.pointer}` };
  }),
  fc.constant({ value: [], pointer: '' }),
  fc
    .array(validApplicant, { minLength: FUZZ_BATCH_MAX_ITEMS + 1, maxLength: FUZZ_BATCH_MAX_ITEMS + 5 })
    .map((value) => ({ value, pointer: '' })),
  anyJson.filter((v) => !Array.isArray(v)).map((value) => ({ value, pointer: '' })),
);

const batchBody: fc.Arbitrary<Defective> = fc.oneof(
  defectiveApplicants.map((d) => ({ value: { applicants: d.value }, pointer: `/applicants${d.pointer}` })),
  fc.constant({ value: {}, pointer: '/applicants' }),
  fc
    .tuple(
      fc.array(validApplicant, { minLength: 1, maxLength: 3 }),
      extraKey.filter((k) => k !== 'applicants'),
      anyJson,
    )
    .map(([items, k, v]) => ({ value: withOwn({ applicants: items }, k, v), pointer: `/${escapePointer(k)}` })),
  defectiveApplicant.map((d) => ({ value: d.value, pointer: d.pointer === '' ? '' : '/applicants' })),
);

const jobBody: fc.Arbitrary<Defective> = fc.oneof(
  defectiveApplicant.map((d) => ({ value: { applicant: d.value }, pointer: `/applicant${d.pointer}` })),
  defectiveApplicants.map((d) => ({ value: { applicants: d.value }, pointer: `/applicants${d.pointer}` })),
  fc.tuple(validApplicant, fc.array(validApplicant, { minLength: 1, maxLength: 2 })).map(([a, items]) => ({
    value: { applicant: a, applicants: items },
    pointer: '',
  })),
  fc.constant({ value: {}, pointer: '' }),
  fc.constant({ value: { applicant: null }, pointer: '/applicant' }),
  fc
    .tuple(
      validApplicant,
      extraKey.filter((k) => k !== 'applicant' && k !== 'applicants'),
      anyJson,
    )
    .map(([a, k, v]) => ({ value: withOwn({ applicant: a }, k, v), pointer: `/${escapePointer(k)}` })),
);

/** Path and JSON text of a defective body, with where a 422 must point. */
const pathAndText: fc.Arbitrary<{ path: string; text: string; pointer: string }> = fc.oneof(
  fc.tuple(fc.constantFrom(...SINGLE_PATHS), defectiveApplicant).map(([path, d]) => ({
    path,
    text: JSON.stringify(d.value) ?? 'null',
    pointer: d.pointer,
  })),
  fc.tuple(fc.constantFrom(...SINGLE_PATHS), defectiveApplicantText).map(([path, d]) => ({ path, ...d })),
  fc.tuple(fc.constantFrom('/scores/batch', '/jobs'), defectiveApplicantText).map(([path, d]) => ({
    path,
    text: path === '/jobs' ? `{"applicant":${d.text}}` : `{"applicants":[${d.text}]}`,
    pointer: path === '/jobs' ? `/applicant${d.pointer}` : `/applicants/0${d.pointer}`,
  })),
  batchBody.map((d) => ({ path: '/scores/batch', text: JSON.stringify(d.value) ?? 'null', pointer: d.pointer })),
  jobBody.map((d) => ({ path: '/jobs', text: JSON.stringify(d.value) ?? 'null', pointer: d.pointer })),
);

/** How the JSON text goes on the wire: intact, or mangled into something that is not JSON, or too big. */
type Wire = { kind: 'intact' | 'mangled' | 'oversized'; apply: (text: string) => string };
const wire: fc.Arbitrary<Wire> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Wire>({ kind: 'intact', apply: (t) => t }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(' \n', '\t\r\n ').map<Wire>((ws) => ({ kind: 'intact', apply: (t) => ws + t + ws })),
  },
  { weight: 1, arbitrary: fc.constant<Wire>({ kind: 'intact', apply: (t) => `\ufeff${t}` }) },
  {
    weight: 2,
    arbitrary: fc
      .nat()
      .map<Wire>((n) => ({ kind: 'mangled', apply: (t) => t.slice(0, n % Math.max(t.length - 1, 1) || 1) })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(',', '}', ']', 'x', '\u0000', '/* c */', '{}').map<Wire>((junk) => ({
      kind: 'mangled',
      apply: (t) => t + junk,
    })),
  },
  { weight: 1, arbitrary: fc.constant<Wire>({ kind: 'mangled', apply: (t) => t.replaceAll('"', "'") }) },
  {
    weight: 1,
    // A trailing comma keeps even `{}` from being JSON.
    arbitrary: fc
      .string({ unit: 'binary', maxLength: 200 })
      .map<Wire>((s) => ({ kind: 'mangled', apply: () => `{${s},` })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: SINGLE_LIMIT_BYTES + 1, max: SINGLE_LIMIT_BYTES + 4096 })
      .map<Wire>((n) => ({ kind: 'oversized', apply: (t) => t + ' '.repeat(n) })),
  },
);

/** Content types: JSON ones (parsed), others (refused with 415 before a byte is read), odd ones (either). */
const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/vnd.api+json',
];
const NOT_JSON_TYPES = [
  'text/plain',
  'text/json',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/jsonp',
  'application/x-json',
  'application/octet-stream',
  'image/png',
];
const ODD_TYPES = [
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=utf-7',
  'application/json; charset=utf-bogus',
  'application/json; charset="utf-8"',
  'application/json;;;',
  'json',
  '*/*',
  'application/*',
  ';',
  `${'a'.repeat(2000)}/json`,
];
const headerText = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});

type ContentType = { header: string | undefined; kind: 'json' | 'not-json' | 'odd' };
const contentType: fc.Arbitrary<ContentType> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...JSON_TYPES).map<ContentType>((header) => ({ header, kind: 'json' })) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...NOT_JSON_TYPES).map<ContentType>((header) => ({ header, kind: 'not-json' })),
  },
  { weight: 1, arbitrary: fc.constant<ContentType>({ header: undefined, kind: 'not-json' }) },
  { weight: 1, arbitrary: fc.constantFrom(...ODD_TYPES).map<ContentType>((header) => ({ header, kind: 'odd' })) },
  { weight: 1, arbitrary: headerText.map<ContentType>((header) => ({ header, kind: 'odd' })) },
);

/** Content-Encoding: mostly none; sometimes one the body does not match (garbage for gzip), or an unknown one. */
const contentEncoding = fc.oneof(
  { weight: 14, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('identity', 'x-bogus', 'gzip', 'deflate', 'br', 'gzip, gzip') },
);

const prefer = fc.option(
  fc.oneof(
    fc.constantFrom('respond-async', 'wait=0', 'wait=99999999999999999999', 'wait=-1', 'wait=abc', 'return=minimal'),
    headerText,
  ),
  { nil: undefined },
);
const requestIdHeader = fc.option(headerText, { nil: undefined });

/**
 * What body-parser's strict JSON parser accepts: after a BOM, an empty body (read as {}) or an
 * object or array. Everything else is the README's 400 MALFORMED_JSON.
 */
function isStrictJson(text: string): boolean {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  if (body === '') return true;
  const first = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])/.exec(body)?.[1];
  if (first !== '{' && first !== '[') return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/** One request the gateway must refuse, and what is known about the answer it must give. */
export interface HostileRequest {
  path: string;
  text: string;
  headers: Record<string, string>;
  /** A status the README's error table fixes for this request; undefined when several are right. */
  expectedStatus?: number;
  /** Where a 422's errors must point, when the JSON arrives intact. */
  defectPointer?: string;
  [fc.toStringMethod]: () => string;
}

export const hostileRequest: fc.Arbitrary<HostileRequest> = fc
  .record({ body: pathAndText, wire, contentType, contentEncoding, prefer, requestId: requestIdHeader })
  .map(({ body, wire, contentType, contentEncoding, prefer, requestId }) => {
    const text = wire.apply(body.text);
    const headers: Record<string, string> = {};
    if (contentType.header !== undefined) headers['content-type'] = contentType.header;
    if (contentEncoding !== undefined) headers['content-encoding'] = contentEncoding;
    if (prefer !== undefined) headers.prefer = prefer;
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    const plain = contentType.kind === 'json' && contentEncoding === undefined;
    const plainText = contentType.kind === 'json' && (contentEncoding === undefined || contentEncoding === 'identity');
    const limit = body.path === '/scores/batch' || body.path === '/jobs' ? BATCH_LIMIT_BYTES : SINGLE_LIMIT_BYTES;
    const tooBig = Buffer.byteLength(text) > limit;
    let expectedStatus: number | undefined;
    if (contentType.kind === 'not-json') expectedStatus = 415;
    else if (plain && tooBig) expectedStatus = 413;
    else if (plain && !isStrictJson(text)) expectedStatus = 400;
    // Plain, well-formed JSON of the right size: only its content can be wrong, so 422 and no other 4xx.
    else if (plain) expectedStatus = 422;
    const request: HostileRequest = {
      path: body.path,
      text,
      headers,
      expectedStatus,
      // Only when the text arrives as sent: an odd charset (utf-7, utf-16) decodes it into other text,
      // and a decoder fed bytes it did not encode may yield other text (brotli can yield none at all).
      defectPointer: wire.kind === 'intact' && plainText && !tooBig ? body.pointer : undefined,
      [fc.toStringMethod]: () =>
        `POST ${body.path} ${JSON.stringify(headers)} ${JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…(${text.length} chars)` : text)}`,
    };
    return request;
  });
