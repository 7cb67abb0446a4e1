import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { apiHeaders, helmetHeaders } from '../../api/http/security-headers.js';

/** The headers the middleware sets for a request carrying `requestHeaders`. */
function headersFor(
  config: { PUBLIC_HTTPS: boolean; TRUST_PROXY_HOPS: number },
  requestHeaders: Record<string, string> = {},
  middleware: typeof helmetHeaders = helmetHeaders,
): Map<string, string> {
  const set = new Map<string, string>();
  const res = { setHeader: (name: string, value: unknown) => set.set(name.toLowerCase(), String(value)) };
  middleware(config)({ headers: requestHeaders } as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return set;
}

const PLAIN = { PUBLIC_HTTPS: false, TRUST_PROXY_HOPS: 0 };

describe('helmetHeaders: https-only headers only when the service knows the browser came over TLS', () => {
  it('plain HTTP: a CSP without upgrade-insecure-requests, no HSTS, no Cross-Origin-Opener-Policy', () => {
    const headers = headersFor(PLAIN);
    expect(headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(headers.has('strict-transport-security')).toBe(false);
    expect(headers.has('cross-origin-opener-policy')).toBe(false);
    expect(headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('X-Forwarded-Proto: https from a client with no trusted proxy (TRUST_PROXY_HOPS=0) -> still plain', () => {
    const headers = headersFor(PLAIN, { 'x-forwarded-proto': 'https' });
    expect(headers.has('strict-transport-security')).toBe(false);
    expect(headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
  });

  it('behind one trusted proxy saying X-Forwarded-Proto: https -> HSTS and upgrade-insecure-requests', () => {
    const headers = headersFor({ PUBLIC_HTTPS: false, TRUST_PROXY_HOPS: 1 }, { 'x-forwarded-proto': 'https' });
    expect(headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  });

  it('a client-sent "https" that the trusted proxy appended "http" to -> plain (the proxy is believed, not the client)', () => {
    const headers = headersFor({ PUBLIC_HTTPS: false, TRUST_PROXY_HOPS: 1 }, { 'x-forwarded-proto': 'https, http' });
    expect(headers.has('strict-transport-security')).toBe(false);
  });

  it('PUBLIC_HTTPS=true -> HSTS and upgrade-insecure-requests on every answer', () => {
    const headers = headersFor({ PUBLIC_HTTPS: true, TRUST_PROXY_HOPS: 0 });
    expect(headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  });
});

describe('apiHeaders: the OWASP REST Security Cheat Sheet set, HSTS only over TLS', () => {
  const api = (config: { PUBLIC_HTTPS: boolean; TRUST_PROXY_HOPS: number }, request: Record<string, string> = {}) =>
    headersFor(config, request, apiHeaders);

  it('plain HTTP: exactly the four headers the cheat sheet gives an API answer', () => {
    expect(Object.fromEntries(api(PLAIN))).toEqual({
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
  });

  it('over TLS (PUBLIC_HTTPS, or a trusted proxy saying https): the same and HSTS', () => {
    for (const headers of [
      api({ PUBLIC_HTTPS: true, TRUST_PROXY_HOPS: 0 }),
      api({ PUBLIC_HTTPS: false, TRUST_PROXY_HOPS: 1 }, { 'x-forwarded-proto': 'https' }),
    ]) {
      expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d+; includeSubDomains$/);
      expect(headers.get('cache-control')).toBe('no-store');
      expect(headers.size).toBe(5);
    }
    expect(api({ PUBLIC_HTTPS: false, TRUST_PROXY_HOPS: 1 }, { 'x-forwarded-proto': 'http' }).size).toBe(4);
  });
});
