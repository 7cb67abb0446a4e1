/**
 * `npm run build && node dist/bench/scenarios/portfolio-run.js [--smoke]`: the portfolio scenario
 * alone (the portfolio row of `npm run bench`, same code, same service settings), to measure a
 * change of the portfolio path without the ten-minute suite. Prints its lines; writes no results.
 */
import { FULL, SMOKE, serviceEnvFrom } from '../settings.js';
import { parseSessionArgs, runCommand, Session } from '../session.js';
import { runPortfolio } from './portfolio.js';

async function main(): Promise<number> {
  const args = parseSessionArgs(
    process.argv.slice(2),
    'smoke',
    'usage: node dist/bench/scenarios/portfolio-run.js [--smoke]',
  );
  const settings = { ...(args.quick ? SMOKE : FULL), serviceEnv: serviceEnvFrom(process.env) };
  const session = await Session.open(`bench-portfolio-${settings.mode}`);
  const { redis, supervisor } = session;
  try {
    await runPortfolio({ settings, redis, supervisor, onRun: () => undefined });
  } finally {
    await session.closeRedis();
  }
  for (const crash of supervisor.crashes) console.error(`FAILED ${crash}`);
  return session.finish(supervisor.crashes.length > 0, session.workDir);
}

runCommand(main);
