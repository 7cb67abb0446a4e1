/**
 * Named faults in the files that decide answers, for `npm run test:mutants`: each replaces one
 * whole line, matched by its trimmed text (so indentation and neighbouring edits do not matter), and
 * names the tests that must catch it. A target that is missing or not unique stops the run.
 */
export interface Fault {
  name: string;
  /** What the fault breaks, for the table. */
  means: string;
  file: string;
  /** The exact line (trimmed) to replace: it must occur exactly once in `file`. */
  line: string;
  /** The line put in its place (indentation is kept). */
  replacement: string;
  /** Re-run `npm run train` after the change, as a refactor of training code would ship a new model. */
  retrain?: boolean;
  /** Test files (relative to the project root) that must fail. */
  tests: readonly string[];
}

const ORACLE = 'test/oracle/answers.test.ts';
const SCORING = 'test/integration/scoring.test.ts';
const MISS_BATCHING = 'test/integration/miss-batching.test.ts';
const FAILURES = 'test/integration/failures.test.ts';
const MODEL = 'test/model/model.test.ts';
const BAD_INPUT = 'test/integration/bad-input.test.ts';
const FUZZ = 'test/fuzz/hostile-input.test.ts';

export const FAULTS: readonly Fault[] = [
  {
    name: 'decision-labels-reversed',
    means: 'risky applicants answered ACCEPT, safe ones DECLINE',
    file: 'worker/credit-model.ts',
    line: 'decision: decisions.labels[Number(decision[i])]!,',
    replacement: 'decision: decisions.labels[1 - Number(decision[i])]!,',
    tests: [ORACLE, SCORING],
  },
  {
    name: 'risk-labels-reversed',
    means: 'HIGH answered LOW and LOW answered HIGH',
    file: 'worker/credit-model.ts',
    line: 'risk_category: risks.labels[Number(risk[i])]!,',
    replacement: 'risk_category: risks.labels[2 - Number(risk[i])]!,',
    tests: [ORACLE, SCORING],
  },
  {
    name: 'decision-threshold-swapped',
    means: 'the graph declines from the upper risk threshold (0.3) instead of 0.171; model retrained',
    file: 'model/train/onnx-graph.ts',
    line: "doubleTensor('decision_threshold', [], [spec.decisionThreshold]),",
    replacement: "doubleTensor('decision_threshold', [], [spec.riskBandThresholds[1]]),",
    retrain: true,
    tests: [ORACLE, SCORING, MODEL],
  },
  {
    name: 'bad-class-flipped',
    means: 'training counts class 1 (good) as bad; model retrained',
    file: 'model/train/german-data.ts',
    line: "isBad: label === '2',",
    replacement: "isBad: label === '1',",
    retrain: true,
    tests: [ORACLE, SCORING, MODEL],
  },
  {
    name: 'cache-write-skipped',
    means: 'the worker answers but never writes the cache',
    file: 'worker/score-processor.ts',
    line: 'const written = cache.write(scored);',
    replacement: 'const written = Promise.resolve(cache && 0);',
    tests: [SCORING, MISS_BATCHING],
  },
  {
    name: 'claim-never-taken',
    means: 'every miss believes it claimed the applicant: identical misses each add a job',
    file: 'api/scoring/claims.ts',
    line: "keys.map(async (key) => (await this.redis.set(key, jobId, 'PX', this.ttlMs, 'NX', 'GET')) ?? undefined),",
    replacement: 'keys.map(async () => undefined),',
    tests: [SCORING, MISS_BATCHING],
  },
  {
    name: 'claim-never-released',
    means: 'a claim whose job failed or lost its answer is never taken over by the next miss',
    file: 'api/scoring/claims.ts',
    line: 'if holder == false or holder == ARGV[1] then',
    replacement: 'if holder == false then',
    tests: [SCORING, FAILURES],
  },
  {
    name: 'bad-body-500',
    means: 'validation throws a plain Error: a bad body answers 500',
    file: 'api/http/validation.ts',
    line: 'throw new InvalidInput(parsed.error.issues.flatMap(toFieldProblems));',
    replacement: "throw new Error('invalid input');",
    tests: [BAD_INPUT, FUZZ],
  },
  {
    name: 'invalid-input-400',
    means: 'field errors answer 400 instead of 422 (the fuzz suite then skipped its pointer check)',
    file: 'shared/errors.ts',
    line: "super('INVALID_INPUT', 422, 'The request body has invalid fields');",
    replacement: "super('INVALID_INPUT', 400, 'The request body has invalid fields');",
    tests: [FUZZ],
  },
];
