/**
 * `npm run build && node dist/bench/read-or-claim-cost.js [--rounds 5] [--hits 80000]`: what every
 * cache hit would pay if the gateway's cache read also claimed the applicant on a miss (one script,
 * the "read-or-claim" lever of issue 12), against today's plain HGETALL. On the bench's private
 * Redis, 16 concurrent readers on one auto-pipelined connection (as the gateway reads) read one
 * cached entry, the two kinds interleaved round by round. Prints client CPU and Redis CPU per hit
 * for each, and the median ratio of script to HGETALL.
 */
import { median } from './report/ratios.js';
import { PrivateRedis } from './private-redis.js';
import { runCommand, Session } from './session.js';
import { createRedis, untilReady } from '../shared/redis.js';

const USAGE = 'usage: node dist/bench/read-or-claim-cost.js [--rounds N] [--hits N]';
const READERS = 16;

/** KEYS[1] the entry, KEYS[2] the claim; ARGV[1] the job id. The entry's fields, or the claim's holder. */
const READ_OR_CLAIM_LUA = `
local hash = redis.call('HGETALL', KEYS[1])
if #hash > 0 then return hash end
return { redis.call('SET', KEYS[2], ARGV[1], 'PX', 60000, 'NX', 'GET') }
`;

interface Figures {
  clientUs: number;
  redisUs: number;
}

function parseArgs(args: readonly string[]): { rounds: number; hits: number } {
  const parsed = { rounds: 5, hits: 80_000 };
  for (let i = 0; i < args.length; i += 2) {
    const value = Number(args[i + 1]);
    if (args[i] === '--rounds' && value > 0) parsed.rounds = value;
    else if (args[i] === '--hits' && value >= READERS) parsed.hits = value;
    else throw new Error(USAGE);
  }
  return parsed;
}

const redisCpuSeconds = (info: string) =>
  Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]);

async function main(): Promise<number> {
  const { rounds, hits } = parseArgs(process.argv.slice(2));
  const session = await Session.open('read-or-claim');
  const own = await PrivateRedis.start(session.supervisor);
  const reader = createRedis(own.redis.url, 'request', 'read-or-claim-cost');
  reader.defineCommand('readOrClaim', { numberOfKeys: 2, lua: READ_OR_CLAIM_LUA });
  const readOrClaim = (reader as unknown as { readOrClaim: (...args: string[]) => Promise<unknown> }).readOrClaim.bind(
    reader,
  );
  await untilReady(reader);
  const entry = 'bench:cache:1a2b3c4d:AbCdEfGhIjKlMnOpQrStUv';
  const claim = 'bench:bk:claim:1a2b3c4d:AbCdEfGhIjKlMnOpQrStUv';
  await reader.hset(entry, { d: '0', p: '0.1234567', r: '1abc', v: '1a2b3c4d' });

  const measure = async (read: () => Promise<unknown>): Promise<Figures> => {
    const redisBefore = redisCpuSeconds(await reader.info('cpu'));
    const clientBefore = process.cpuUsage();
    await Promise.all(
      Array.from({ length: READERS }, async () => {
        for (let i = 0; i < hits / READERS; i++) await read();
      }),
    );
    const client = process.cpuUsage(clientBefore);
    const redisAfter = redisCpuSeconds(await reader.info('cpu'));
    return { clientUs: (client.user + client.system) / hits, redisUs: ((redisAfter - redisBefore) * 1e6) / hits };
  };

  let failed = false;
  try {
    await measure(() => reader.hgetall(entry)); // warm-up of both paths
    await measure(() => readOrClaim(entry, claim, 'job'));
    const ratios: Figures[] = [];
    for (let round = 1; round <= rounds; round++) {
      const plain = await measure(() => reader.hgetall(entry));
      const script = await measure(() => readOrClaim(entry, claim, 'job'));
      ratios.push({ clientUs: script.clientUs / plain.clientUs, redisUs: script.redisUs / plain.redisUs });
      const us = (figures: Figures) =>
        `client ${figures.clientUs.toFixed(2)} µs, Redis ${figures.redisUs.toFixed(2)} µs`;
      console.log(`round ${round}: HGETALL ${us(plain)}; read-or-claim ${us(script)} per hit`);
    }
    const spread = (values: number[]) =>
      `${median(values)!.toFixed(2)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`;
    console.log(
      `read-or-claim ÷ HGETALL, median (spread) of ${rounds} rounds: client CPU ${spread(ratios.map((r) => r.clientUs))}, Redis CPU ${spread(ratios.map((r) => r.redisUs))}`,
    );
    if ((await reader.exists(claim)) !== 0) throw new Error('a hit claimed the applicant');
  } catch (error) {
    failed = true;
    console.error(`FAILED ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    reader.disconnect();
    await own.stop();
    await session.closeRedis();
  }
  return session.finish(failed, session.workDir);
}

runCommand(main);
