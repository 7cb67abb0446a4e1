import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface AdminCredentials {
  user: string;
  password: string;
  /** True when no ADMIN_PASSWORD was set and this process made one up (log it once). */
  generated: boolean;
}

/** The configured credentials, or a random password when none is set: no admin page is ever open. */
export function adminCredentials(user: string, password: string | undefined): AdminCredentials {
  if (password) return { user, password, generated: false };
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
