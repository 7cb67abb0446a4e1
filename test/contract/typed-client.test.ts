import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { PROJECT_ROOT } from '../support/processes.js';
import { Stack } from '../support/stack.js';

/**
 * A client program written against the generated types only. The @ts-expect-error lines are part
 * of the test: if the document let `{}` through as a POST /jobs body, tsc would report the
 * directive unused and fail.
 */
const CLIENT_PROGRAM = `
import createClient from 'openapi-fetch';
import type { paths } from './api.js';

const [baseUrl, scoreBody, jobBody] = process.argv.slice(2) as [string, string, string];
const client = createClient<paths>({ baseUrl });
type Applicant = paths['/scores']['post']['requestBody']['content']['application/json'];

export function typeChecksOnly(applicant: Applicant) {
  // @ts-expect-error POST /jobs takes {applicant} or {applicants}: {} is not a body
  void client.POST('/jobs', { body: {} });
  // @ts-expect-error an applicant missing its fields is not an applicant
  void client.POST('/scores', { body: { age_in_years: 30 } });
  void client.POST('/jobs', { body: { applicant } });
  void client.POST('/jobs', { body: { applicants: [applicant] } });
}

const scored = await client.POST('/scores', { body: JSON.parse(scoreBody) as Applicant });
const submitted = await client.POST('/jobs', { body: { applicant: JSON.parse(jobBody) as Applicant } });
const id = submitted.data?.id ?? '';
let polled = await client.GET('/jobs/{id}', { params: { path: { id } } });
for (let tries = 0; tries < 200 && polled.data?.status !== 'completed'; tries++) {
  await new Promise((resolve) => setTimeout(resolve, 50));
  polled = await client.GET('/jobs/{id}', { params: { path: { id } } });
}
console.log(
  JSON.stringify({
    scored: { status: scored.response.status, body: scored.data },
    submitted: { status: submitted.response.status, body: submitted.data, location: submitted.response.headers.get('location') },
    polled: { status: polled.response.status, body: polled.data },
  }),
);
`;

/** Runs a command without blocking this process: the gateway it talks to lives here. */
function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('a typed client generated from /openapi.json (openapi-typescript + openapi-fetch), against the live gateway', () => {
  let stack: Stack;
  // Inside the project, so the program resolves openapi-fetch from its node_modules; gitignored.
  const dir = join(PROJECT_ROOT, 'test-results', `typed-client-${randomUUID()}`);

  beforeAll(async () => {
    stack = await Stack.start();
    await stack.startWorker();
    mkdirSync(dir, { recursive: true });
  });
  afterAll(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('type-checks (with {} refused for POST /jobs), scores, submits a job and polls it to completed', async () => {
    const document = (await (await fetch(`${stack.url}/openapi.json`)).json()) as object;
    writeFileSync(join(dir, 'api.ts'), astToString(await openapiTS(document as never)));
    writeFileSync(join(dir, 'client.ts'), CLIENT_PROGRAM);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          skipLibCheck: true,
          outDir: 'out',
        },
        files: ['client.ts'],
      }),
    );

    const compiled = await run(
      process.execPath,
      [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'],
      dir,
    );
    expect(compiled.output).toBe('');
    expect(compiled.code).toBe(0);

    const jobApplicant = applicantNumber(7);
    const ran = await run(
      process.execPath,
      ['out/client.js', stack.url, JSON.stringify(EXAMPLE_APPLICANT), JSON.stringify(jobApplicant)],
      dir,
    );
    expect(ran.code, ran.output).toBe(0);
    const { scored, submitted, polled } = JSON.parse(ran.output) as Record<
      string,
      { status: number; body: Record<string, unknown>; location?: string }
    >;
    // README's worked example: the applicant is declined, HIGH risk.
    expect(scored).toMatchObject({ status: 200, body: { decision: 'DECLINE', risk_category: 'HIGH' } });
    expect([200, 202]).toContain(submitted!.status);
    expect(submitted!.location).toBe(`/jobs/${String(submitted!.body.id)}`);
    expect(polled).toMatchObject({ status: 200, body: { id: submitted!.body.id, status: 'completed' } });
    expect(polled!.body.result).toMatchObject({ decision: expect.stringMatching(/^(ACCEPT|DECLINE)$/) });
  }, 120_000);
});
