import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../support/redis-server.js';
import { ServiceFleet } from '../support/service-fleet.js';

/** One shell line of README's "Using it" section, and what README says it prints. */
interface Example {
  command: string;
  claim: string;
}

/**
 * The shell lines of the fenced blocks in README's "Using it" section, in order, each with the
 * comment that shows its answer: after the command (`cmd   # answer`) or on the lines below it.
 */
function readmeExamples(): Example[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(
    readme.indexOf('## Using it'),
    readme.indexOf('\n## ', readme.indexOf('## Using it') + 1),
  );
  const examples: Example[] = [];
  for (const block of section.matchAll(/```\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) {
      if (!line.trim()) continue;
      if (line.startsWith('#')) {
        const last = examples.at(-1);
        if (last) last.claim = `${last.claim} ${line.slice(1).trim()}`.trim();
        continue;
      }
      const inline = /^(.*?)\s{2,}#\s(.*)$/.exec(line);
      examples.push(inline ? { command: inline[1]!, claim: inline[2]! } : { command: line, claim: '' });
    }
  }
  return examples;
}

/** What README claims: a status, a Location, a JSON body (`…` marks what it leaves out). */
function parseClaim(claim: string): { status?: number; location?: boolean; body?: unknown } {
  const status = /^(\d{3})\b/.exec(claim)?.[1];
  const start = claim.indexOf('{');
  const end = claim.lastIndexOf('}');
  let body: unknown;
  if (start >= 0 && end > start) {
    const json = claim
      .slice(start, end + 1)
      .replaceAll('{…}', '{}')
      .replaceAll(',…', '')
      .replaceAll('…', '');
    body = JSON.parse(json);
  }
  return { status: status ? Number(status) : undefined, location: /Location: \//.test(claim), body };
}

/**
 * `actual` has `expected`'s shape: the same fixed values, except ids and links (they differ per run
 * and per id scheme), which need only be strings; arrays of the same length; extra fields allowed.
 */
function shapeProblems(expected: unknown, actual: unknown, path = ''): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return [`${path}: expected ${expected.length} items`];
    return expected.flatMap((item, i) => shapeProblems(item, actual[i], `${path}/${i}`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return [`${path}: expected an object`];
    return Object.entries(expected).flatMap(([key, value]) =>
      key in actual
        ? shapeProblems(value, (actual as Record<string, unknown>)[key], `${path}/${key}`)
        : [`${path}/${key}: missing`],
    );
  }
  if (/\/(id|self)$/.test(path)) return typeof actual === 'string' ? [] : [`${path}: expected a string`];
  return actual === expected
    ? []
    : [`${path}: README shows ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/** Runs `command` in bash after README's variable lines (`A='…'`), as a reader's shell would have them. */
function runInBash(variables: readonly string[], command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const bash = spawn('bash', ['-c', [...variables, command].join('\n')]);
    let output = '';
    bash.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    bash.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    bash.once('error', reject);
    bash.once('close', () => resolve(output));
  });
}

const isUnfinishedJob = (body: string) => /"status":"(queued|active)"/.test(body);

/** `curl -si` output: status, headers, body. */
function parseHttp(output: string): { status?: number; headers: Map<string, string>; body: string } {
  const [head, ...rest] = output.replace(/\r/g, '').split('\n\n');
  const statusLine = /^HTTP\/[\d.]+ (\d{3})/.exec(head ?? '');
  if (!statusLine) return { headers: new Map(), body: output.trim() };
  const headers = new Map(
    head!
      .split('\n')
      .slice(1)
      .map(
        (line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()] as const,
      ),
  );
  return { status: Number(statusLine[1]), headers, body: rest.join('\n\n').trim() };
}

describe("README's examples, followed in order on a fresh Redis, answer what README shows", () => {
  let redis: RedisServer;
  let fleet: ServiceFleet;
  let base: string;

  beforeAll(async () => {
    redis = await RedisServer.start();
    fleet = new ServiceFleet(redis.url);
    ({ base } = await fleet.startGateway());
    await fleet.startWorker();
  });
  afterAll(async () => {
    await fleet?.stop();
    await redis?.stop();
  });

  it('every curl line of "Using it" gives the status, Location and body shape its comment shows', async () => {
    const examples = readmeExamples();
    const curls = examples.filter((example) => example.command.startsWith('curl'));
    expect(curls.length).toBeGreaterThanOrEqual(10);
    expect(curls.filter((example) => example.claim !== '').length).toBeGreaterThanOrEqual(8);

    const problems: string[] = [];
    const variables: string[] = [];
    let lastLocation: string | undefined;
    for (const example of examples) {
      if (/^[A-Z]+='/.test(example.command)) {
        variables.push(example.command);
        continue;
      }
      let command = example.command.replaceAll('localhost:3000', base.replace('http://', ''));
      // A reader polls the Location they were given, whatever the id in README's text.
      const isPoll = /^curl -si? \S+\/jobs\/\S+$/.test(command);
      if (isPoll && lastLocation) command = command.replace(/\/jobs\/\S+$/, lastLocation);
      let response = parseHttp(await runInBash(variables, command));
      // ...and polls again, after Retry-After, while the job is unfinished.
      for (let tries = 0; isPoll && isUnfinishedJob(response.body) && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        response = parseHttp(await runInBash(variables, command));
      }
      const claim = parseClaim(example.claim);
      const where = example.command.slice(0, 90);
      const location = response.headers.get('location');
      if (location) lastLocation = location;
      if (claim.status !== undefined && response.status !== claim.status) {
        problems.push(`${where}: README shows ${claim.status}, got ${response.status}`);
        continue;
      }
      if (response.status !== undefined && response.status >= 400)
        problems.push(`${where}: answered ${response.status}`);
      if (claim.location && !location?.startsWith('/jobs/')) problems.push(`${where}: no Location /jobs/…`);
      if (claim.body !== undefined) {
        let body: unknown;
        try {
          body = JSON.parse(response.body);
        } catch {
          problems.push(`${where}: not JSON: ${response.body.slice(0, 120)}`);
          continue;
        }
        problems.push(...shapeProblems(claim.body, body).map((problem) => `${where}: ${problem}`));
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
