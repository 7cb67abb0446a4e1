import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from './config.js';
import { ConfigError } from './errors.js';

export interface AdminCredentials {
  user: string;
  password: string;
  /**
   * True when no ADMIN_PASSWORD was set and this process made one up. Nobody is told it (it is
   * never logged), so the admin pages stay locked until ADMIN_PASSWORD is set.
   */
  generated: boolean;
}

/**
 * The configured credentials. Outside production a missing password becomes a random one, so no
 * admin page is ever open; in production a missing password is a ConfigError, because a password
 * nobody knows (or one per process) locks the operators out of their own service.
 */
export function adminCredentials(config: Pick<Config, 'NODE_ENV' | 'ADMIN_USER' | 'ADMIN_PASSWORD'>): AdminCredentials {
  const { NODE_ENV, ADMIN_USER: user, ADMIN_PASSWORD: password } = config;
  if (password) return { user, password, generated: false };
  if (NODE_ENV === 'production') {
    throw new ConfigError('bad config: ADMIN_PASSWORD: required when NODE_ENV=production (npm start generates one)');
  }
  return { user, password: randomBytes(18).toString('base64url'), generated: true };
}

/** Digests first, so the comparison takes the same time whatever the lengths (no length oracle). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Checks an `Authorization: Basic …` header in constant time; any malformed header is a no. */
export function isAuthorized(header: string | undefined, credentials: AdminCredentials): boolean {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const userOk = sameSecret(decoded.slice(0, colon), credentials.user);
  const passwordOk = sameSecret(decoded.slice(colon + 1), credentials.password);
  return userOk && passwordOk;
}

/** The challenge a 401 carries, so browsers ask for credentials. */
export const BASIC_AUTH_CHALLENGE = 'Basic realm="credit-scoring admin", charset="UTF-8"';
