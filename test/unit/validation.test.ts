import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Applicant } from '../../shared/applicant.js';
import { InvalidInput } from '../../shared/errors.js';
import { parseInput } from '../../api/http/validation.js';
import { EXAMPLE_APPLICANT } from '../support/applicants.js';

function problemsOf(schema: z.ZodType, input: unknown) {
  try {
    parseInput(schema, input);
  } catch (error) {
    if (error instanceof InvalidInput) return error.problems;
    throw error;
  }
  throw new Error('expected InvalidInput');
}

describe('parseInput', () => {
  it('valid input -> the parsed value', () => {
    expect(parseInput(Applicant, EXAMPLE_APPLICANT)).toEqual(EXAMPLE_APPLICANT);
  });

  it('every bad field -> its own JSON pointer and reason', () => {
    const problems = problemsOf(Applicant, { ...EXAMPLE_APPLICANT, age_in_years: 12, foreign_worker: 1, extra: true });
    expect(problems.map((p) => p.path).sort()).toEqual(['/age_in_years', '/extra', '/foreign_worker']);
    expect(problems.find((p) => p.path === '/extra')?.message).toBe('Unknown field');
    for (const problem of problems) expect(problem.message.length).toBeGreaterThan(0);
  });

  it('not an object -> one problem at the root path ""', () => {
    expect(problemsOf(Applicant, [1, 2])).toEqual([{ path: '', message: expect.any(String) }]);
  });

  it('nested paths are escaped per RFC 6901', () => {
    const schema = z.object({ 'a/b': z.array(z.object({ 'c~d': z.number() })) });
    expect(problemsOf(schema, { 'a/b': [{ 'c~d': 1 }, { 'c~d': 'x' }] })).toEqual([
      { path: '/a~1b/1/c~0d', message: expect.any(String) },
    ]);
  });
});
