import { describe, expect, it } from 'vitest';
import { StartupError } from '../../shared/errors.js';
import { deriveKey, serviceSecret } from '../../shared/secrets.js';

function recorder() {
  const warnings: unknown[][] = [];
  return { warnings, log: { warn: (...args: unknown[]) => void warnings.push(args) } };
}

describe('serviceSecret: SERVICE_SECRET, required in production', () => {
  it('production without one -> StartupError naming the variable, on one line', () => {
    const { log } = recorder();
    expect(() => serviceSecret({ NODE_ENV: 'production', SERVICE_SECRET: undefined }, log)).toThrow(StartupError);
    expect(() => serviceSecret({ NODE_ENV: 'production', SERVICE_SECRET: undefined }, log)).toThrow(
      /^SERVICE_SECRET[^\n]*$/,
    );
  });

  it('a set secret is used as given, in any environment', () => {
    const secret = 'x'.repeat(40);
    expect(serviceSecret({ NODE_ENV: 'production', SERVICE_SECRET: secret }, recorder().log)).toBe(secret);
  });

  it('outside production without one: a fixed development secret, a warning logged once that never shows it', () => {
    const { warnings, log } = recorder();
    const first = serviceSecret({ NODE_ENV: 'development', SERVICE_SECRET: undefined }, log);
    const second = serviceSecret({ NODE_ENV: 'test', SERVICE_SECRET: undefined }, log);
    expect(first).toBe(second);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain(first);
  });

  it('each purpose gets its own 32-byte key', () => {
    const secret = 'y'.repeat(40);
    expect(deriveKey(secret, 'public-id')).toHaveLength(32);
    expect(deriveKey(secret, 'public-id').equals(deriveKey(secret, 'job-seal'))).toBe(false);
  });
});
