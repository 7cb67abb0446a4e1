import type { z } from 'zod';
import { InvalidInput, type FieldProblem } from '../../shared/errors.js';

/** RFC 6901: '~' and '/' inside a segment are escaped. */
function pointer(path: ReadonlyArray<PropertyKey>): string {
  return path.map((segment) => '/' + String(segment).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

function toFieldProblems(issue: z.core.$ZodIssue): FieldProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: pointer([...issue.path, key]), message: 'Unknown field' }));
  }
  return [{ path: pointer(issue.path), message: issue.message }];
}

/** Parses untrusted input with a schema; throws InvalidInput listing every field path and reason. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new InvalidInput(parsed.error.issues.flatMap(toFieldProblems));
}
