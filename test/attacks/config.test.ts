import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';

/** The ConfigError loadConfig throws for `env`, or a failure when it accepts it. */
function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('attack: a deploy sets nonsense config (issue 10, item 8)', () => {
  it.each([
    // The defaults documented in .env.example and README, not read from the schema.
    ['RATE_LIMIT_MISSES', 1200],
    ['SHUTDOWN_TIMEOUT_MS', 10000],
    ['PORT', 3000],
    ['SYNC_WAIT_MS', 5000],
    ['CACHE_TTL_SECONDS', 86400],
    ['LOG_LEVEL', 'info'],
  ])('%s= (empty) -> the default, as if unset (%s)', (name, documented) => {
    expect(loadConfig({ [name]: '' })[name as keyof ReturnType<typeof loadConfig>]).toBe(documented);
  });

  it('ADMIN_PASSWORD= (empty) -> unset (a password is generated), not a refused start', () => {
    expect(loadConfig({ ADMIN_PASSWORD: '' }).ADMIN_PASSWORD).toBeUndefined();
  });

  it('the defaults together pass every cross-field rule', () => {
    expect(() => loadConfig({})).not.toThrow();
  });

  it.each([
    [
      { HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' },
      'HTTP_HEADERS_TIMEOUT_MS',
      'HTTP_REQUEST_TIMEOUT_MS',
    ],
    [{ SYNC_WAIT_MS: '9000', SYNC_WAIT_MAX_MS: '3000' }, 'SYNC_WAIT_MS', 'SYNC_WAIT_MAX_MS'],
    [{ SYNC_WAIT_MAX_MS: '10000', SHUTDOWN_TIMEOUT_MS: '10000' }, 'SYNC_WAIT_MAX_MS', 'SHUTDOWN_TIMEOUT_MS'],
    [{ SYNC_WAIT_MAX_MS: '30000' }, 'SYNC_WAIT_MAX_MS', 'SHUTDOWN_TIMEOUT_MS'],
    [
      { JOB_TIMEOUT_MS: '9000', SYNC_WAIT_MAX_MS: '1000', SHUTDOWN_TIMEOUT_MS: '9000' },
      'JOB_TIMEOUT_MS',
      'SHUTDOWN_TIMEOUT_MS',
    ],
    [{ CACHE_TTL_SECONDS: '60', JOB_RETENTION_SECONDS: '3600' }, 'CACHE_TTL_SECONDS', 'JOB_RETENTION_SECONDS'],
  ])('%o -> refused on one line naming %s and %s', (env, first, second) => {
    const error = refusal(env);
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain(first);
    expect(error.message).toContain(second);
  });

  it('the bounds themselves are allowed: equal header and request timeouts, SYNC_WAIT_MS = SYNC_WAIT_MAX_MS', () => {
    expect(() =>
      loadConfig({
        HTTP_HEADERS_TIMEOUT_MS: '10000',
        HTTP_REQUEST_TIMEOUT_MS: '10000',
        SYNC_WAIT_MS: '8000',
        SYNC_WAIT_MAX_MS: '8000',
      }),
    ).not.toThrow();
  });

  it('SHUTDOWN_TIMEOUT_MS=0 -> refused (SIGTERM would exit 1 at once)', () => {
    expect(refusal({ SHUTDOWN_TIMEOUT_MS: '0' }).message).toContain('SHUTDOWN_TIMEOUT_MS');
  });
});
