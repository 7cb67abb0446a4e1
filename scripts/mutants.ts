// `npm run test:mutants`: for each named fault (scripts/mutant-faults.ts), a copy of the project with
// that one line changed, the tests that must catch it run there, and a table of what caught it.
// Exits 1 if any fault survives (its tests pass) or cannot be applied. The working tree is never
// touched: every fault runs in its own temporary copy, removed afterwards, on a signal too.
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { FAULTS, type Fault } from './mutant-faults.js';

const ROOT = resolve('.');
const NOT_COPIED = new Set(['node_modules', 'dist', '.git', 'test-results']);

interface Outcome {
  fault: string;
  verdict: 'caught' | 'SURVIVED' | 'ERROR';
  caughtBy: string[];
  seconds: number;
  detail?: string;
}

let running: ChildProcess | undefined;
const scratch = new Set<string>();

async function cleanUp(): Promise<void> {
  running?.kill('SIGKILL');
  await Promise.all([...scratch].map((dir) => rm(dir, { recursive: true, force: true })));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanUp().finally(() => process.exit(130));
  });
}

/** Runs a command in `cwd`; resolves with its exit code and combined output. */
function run(cwd: string, command: string, args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => {
      running = undefined;
      done({ code: code ?? 1, output });
    });
  });
}

/** A copy of the project beside a link to ../shared (the data), with node_modules linked in. */
async function copyProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mutant-'));
  scratch.add(dir);
  const tree = join(dir, basename(ROOT));
  await cp(ROOT, tree, { recursive: true, filter: (src) => !NOT_COPIED.has(basename(src)) || src === ROOT });
  await symlink(await realpath(join(ROOT, 'node_modules')), join(tree, 'node_modules'));
  await symlink(await realpath(join(ROOT, '..', 'shared')), join(dir, 'shared'));
  return tree;
}

/** Replaces the one line whose trimmed text is `fault.line`; throws when there is none or several. */
async function applyFault(tree: string, fault: Fault): Promise<void> {
  const path = join(tree, fault.file);
  const lines = (await readFile(path, 'utf8')).split('\n');
  const at = lines.flatMap((line, i) => (line.trim() === fault.line ? [i] : []));
  if (at.length !== 1) {
    throw new Error(
      `${fault.name}: target ${at.length === 0 ? 'not found' : 'not unique'} in ${fault.file}: ${fault.line}`,
    );
  }
  const indent = /^\s*/.exec(lines[at[0]!]!)![0];
  lines[at[0]!] = indent + fault.replacement;
  await writeFile(path, lines.join('\n'));
}

/** The tests that failed, from vitest's JSON report, as "file > name". */
async function failedTests(tree: string): Promise<string[]> {
  const report = JSON.parse(await readFile(join(tree, 'test-results', 'vitest.json'), 'utf8')) as {
    testResults: Array<{ name: string; assertionResults: Array<{ fullName: string; status: string }> }>;
  };
  return report.testResults.flatMap((file) =>
    file.assertionResults
      .filter((test) => test.status === 'failed')
      .map((test) => `${file.name.slice(file.name.indexOf('test/'))} > ${test.fullName}`),
  );
}

async function runTests(
  tree: string,
  tests: readonly string[],
): Promise<{ code: number; failed: string[]; output: string }> {
  const { code, output } = await run(tree, 'npx', ['vitest', 'run', ...tests]);
  const failed = await failedTests(tree).catch(() => []);
  return { code, failed, output };
}

async function tryFault(fault: Fault): Promise<Outcome> {
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 1000);
  const tree = await copyProject();
  try {
    await applyFault(tree, fault);
    if (fault.retrain) {
      const trained = await run(tree, 'npm', ['run', 'train']);
      if (trained.code !== 0)
        return {
          fault: fault.name,
          verdict: 'ERROR',
          caughtBy: [],
          seconds: seconds(),
          detail: trained.output.slice(-2000),
        };
    }
    const { code, failed, output } = await runTests(tree, fault.tests);
    if (code === 0) return { fault: fault.name, verdict: 'SURVIVED', caughtBy: [], seconds: seconds() };
    // A non-zero exit without a failed test (a crash, a syntax error) proves nothing about the tests.
    if (failed.length === 0)
      return { fault: fault.name, verdict: 'ERROR', caughtBy: [], seconds: seconds(), detail: output.slice(-2000) };
    return { fault: fault.name, verdict: 'caught', caughtBy: failed, seconds: seconds() };
  } finally {
    await rm(join(tree, '..'), { recursive: true, force: true });
    scratch.delete(join(tree, '..'));
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  const only = process.argv.slice(2);
  const faults = only.length > 0 ? FAULTS.filter((fault) => only.includes(fault.name)) : FAULTS;
  if (faults.length === 0) throw new Error(`no fault named ${only.join(', ')}`);

  // The unchanged tests must pass first, or a failure below would prove nothing.
  const baselineTree = await copyProject();
  const baseline = await runTests(baselineTree, [...new Set(faults.flatMap((fault) => fault.tests))]);
  await rm(join(baselineTree, '..'), { recursive: true, force: true });
  scratch.delete(join(baselineTree, '..'));
  if (baseline.code !== 0) {
    console.error(
      `the unchanged tests fail, so no fault can be judged:\n${baseline.failed.join('\n')}\n${baseline.output.slice(-3000)}`,
    );
    return 1;
  }

  const outcomes: Outcome[] = [];
  for (const fault of faults) {
    const outcome = await tryFault(fault);
    outcomes.push(outcome);
    console.log(`${outcome.verdict.padEnd(8)} ${fault.name} (${outcome.seconds} s): ${fault.means}`);
    if (outcome.detail) console.log(outcome.detail);
  }

  console.log('\n| fault | file | result | tests that caught it |\n| --- | --- | --- | --- |');
  for (const [i, outcome] of outcomes.entries()) {
    const caught = outcome.caughtBy.length > 0 ? outcome.caughtBy.join('<br>') : '(none)';
    console.log(`| ${outcome.fault} | ${faults[i]!.file} | ${outcome.verdict} | ${caught} |`);
  }
  const survivors = outcomes.filter((outcome) => outcome.verdict !== 'caught');
  console.log(
    `\n${outcomes.length - survivors.length} of ${outcomes.length} faults caught in ${Math.round((performance.now() - started) / 1000)} s`,
  );
  return survivors.length === 0 ? 0 : 1;
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    await cleanUp();
    process.exitCode = 1;
  });
