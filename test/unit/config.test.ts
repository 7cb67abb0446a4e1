import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.js';
import { MIN_QUEUE_REDIS_VERSION, versionAtLeast } from '../../shared/redis-policy.js';
import { loadConfig } from '../../shared/config.js';

describe('loadConfig', () => {
  it('an empty environment -> the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      CACHE_TTL_SECONDS: 86400,
      SYNC_WAIT_MS: 5000,
      QUEUE_PREFIX: '{scoring}',
      WORKERS: 1,
    });
  });

  it('numbers come from strings', () => {
    expect(loadConfig({ PORT: '8080', SYNC_WAIT_MS: '250' })).toMatchObject({ PORT: 8080, SYNC_WAIT_MS: 250 });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['REDIS_URL', 'http://example.test'],
    ['CACHE_TTL_SECONDS', '0'],
    ['LOG_LEVEL', 'loud'],
    ['CACHE_PREFIX', 'a:b'],
  ])('a bad %s (%s) -> ConfigError naming the setting on one line', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('PORTFOLIO_UPLOAD_TIMEOUT_MS', () => {
  it('defaults to 30 minutes (1,800,000 ms), past the 30 s idle cut', () => {
    expect(loadConfig({})).toMatchObject({ PORTFOLIO_UPLOAD_TIMEOUT_MS: 1_800_000, PORTFOLIO_IDLE_TIMEOUT_MS: 30_000 });
  });

  it('an idle cut longer than the whole upload deadline -> ConfigError naming both, on one line', () => {
    let error: unknown;
    try {
      loadConfig({ PORTFOLIO_IDLE_TIMEOUT_MS: '60000', PORTFOLIO_UPLOAD_TIMEOUT_MS: '59999' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('PORTFOLIO_IDLE_TIMEOUT_MS');
    expect((error as Error).message).toContain('PORTFOLIO_UPLOAD_TIMEOUT_MS');
    expect((error as Error).message).not.toContain('\n');
  });

  it('equal idle and upload deadlines are allowed', () => {
    expect(loadConfig({ PORTFOLIO_IDLE_TIMEOUT_MS: '60000', PORTFOLIO_UPLOAD_TIMEOUT_MS: '60000' })).toMatchObject({
      PORTFOLIO_UPLOAD_TIMEOUT_MS: 60000,
    });
  });
});

describe('the queue Redis version the gateway accepts', () => {
  it('7.0 and later (claims use SET NX GET); 6.2 and older are refused', () => {
    expect(versionAtLeast('7.0.0', MIN_QUEUE_REDIS_VERSION)).toBe(true);
    expect(versionAtLeast('7.2.4', MIN_QUEUE_REDIS_VERSION)).toBe(true);
    expect(versionAtLeast('8.0.1', MIN_QUEUE_REDIS_VERSION)).toBe(true);
    expect(versionAtLeast('6.2.14', MIN_QUEUE_REDIS_VERSION)).toBe(false);
    expect(versionAtLeast('garbage', MIN_QUEUE_REDIS_VERSION)).toBe(false);
  });
});
