import { hkdfSync } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { StartupError } from './errors.js';

/**
 * Stands in for SERVICE_SECRET outside production, so a laptop runs without set-up. It is in the
 * source, so ids and job data made under it are readable by anyone with the code.
 */
const DEVELOPMENT_SECRET = 'credit-scoring-development-secret-not-for-production';

/** One warning per process, however many components ask (a test runs gateway and workers in one). */
let warned = false;

/**
 * The service secret: SERVICE_SECRET, or, outside NODE_ENV=production, the fixed development
 * secret with a warning logged once (never the value). Throws StartupError (one line) in
 * production without one.
 */
export function serviceSecret(config: Pick<Config, 'NODE_ENV' | 'SERVICE_SECRET'>, log: Pick<Logger, 'warn'>): string {
  if (config.SERVICE_SECRET) return config.SERVICE_SECRET;
  if (config.NODE_ENV === 'production') {
    throw new StartupError(
      'SERVICE_SECRET is required when NODE_ENV=production (32+ characters, shared by gateway and workers)',
    );
  }
  if (!warned) {
    warned = true;
    log.warn('no SERVICE_SECRET set: using the fixed development secret; set one before real data goes through');
  }
  return DEVELOPMENT_SECRET;
}

/** What a derived key is for; each use gets its own key, so one leaking says nothing about another. */
export type KeyPurpose = 'public-id' | 'job-seal' | 'portfolio-chunk';

/** A 256-bit key for one purpose, derived from the service secret (HKDF-SHA256, no salt: the secret is random). */
export function deriveKey(secret: string, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, '', `credit-scoring ${purpose} v1`, 32));
}
