import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Config } from '../../shared/config.js';

type HeaderValue = string | number | readonly string[];
type Headers = Array<[string, HeaderValue]>;
/** CSP directives that differ from helmet's defaults (a page that needs more, like /docs). */
export type CspDirectives = Record<string, string[] | null>;

/** helmet's answer for `options`, recorded once. */
function recordHelmet(options: Parameters<typeof helmet>[0]): Headers {
  const headers: Headers = [];
  const recorder = {
    setHeader: (name: string, value: HeaderValue) => headers.push([name, value]),
    removeHeader: () => undefined,
    getHeader: () => undefined,
  };
  let recorded = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => (recorded = true));
  // helmet answers synchronously today; fail loudly at start-up if that ever changes.
  if (!recorded) throw new Error('helmet did not finish synchronously');
  return headers;
}

/**
 * True when the browser reached us over TLS: PUBLIC_HTTPS says every client does, or a trusted
 * reverse proxy says this one did (X-Forwarded-Proto, read at the outermost trusted hop, so a client
 * cannot claim it past the proxies). A client-sent header alone, with no trusted proxy, is ignored.
 */
export function isBehindTls(req: IncomingMessage, config: Pick<Config, 'PUBLIC_HTTPS' | 'TRUST_PROXY_HOPS'>): boolean {
  if (config.PUBLIC_HTTPS) return true;
  if (config.TRUST_PROXY_HOPS === 0) return false;
  const protocols = String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')
    .map((protocol) => protocol.trim().toLowerCase())
    .filter(Boolean);
  return protocols[Math.max(0, protocols.length - config.TRUST_PROXY_HOPS)] === 'https';
}

function setHeaders(res: ServerResponse, headers: Headers): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}

type HeaderMiddleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** Replays one of two header sets worked out at start-up: over TLS, or over plain HTTP. */
function replayHeaders(
  config: Pick<Config, 'PUBLIC_HTTPS' | 'TRUST_PROXY_HOPS'>,
  sets: { overTls: Headers; overPlainHttp: Headers },
): HeaderMiddleware {
  // Only a trusted proxy's X-Forwarded-Proto can vary the answer; without one it is known at start-up.
  if (config.PUBLIC_HTTPS || config.TRUST_PROXY_HOPS === 0) {
    const headers = config.PUBLIC_HTTPS ? sets.overTls : sets.overPlainHttp;
    return (_req, res, next) => {
      setHeaders(res, headers);
      next();
    };
  }
  return (req, res, next) => {
    setHeaders(res, isBehindTls(req, config) ? sets.overTls : sets.overPlainHttp);
    next();
  };
}

/**
 * helmet's headers for the pages a browser renders (the landing page, /docs, the board), worked out
 * once at start-up and replayed on every answer (a dozen middleware calls per request cost more than
 * the cache hit they decorate). Two sets: over TLS helmet's defaults; over plain HTTP the same
 * without HSTS, Cross-Origin-Opener-Policy and CSP's upgrade-insecure-requests, which makes a
 * browser fetch every script of /docs and the board over https that is not there (blank pages at
 * any host but localhost). A page with a policy of its own passes its `directives`.
 */
export function helmetHeaders(
  config: Pick<Config, 'PUBLIC_HTTPS' | 'TRUST_PROXY_HOPS'>,
  directives: CspDirectives = {},
): HeaderMiddleware {
  return replayHeaders(config, {
    overTls: recordHelmet({ contentSecurityPolicy: { directives } }),
    overPlainHttp: recordHelmet({
      contentSecurityPolicy: { directives: { ...directives, upgradeInsecureRequests: null } },
      strictTransportSecurity: false,
      // Browsers ignore it from an origin that is not secure, and Chromium logs a console error saying so.
      crossOriginOpenerPolicy: false,
    }),
  });
}

/**
 * The headers of every API answer (JSON, problems, metrics), as the OWASP REST Security Cheat Sheet
 * lists them for APIs: nothing may store an answer (it is about a person), frame it or run it, and
 * nothing may sniff it into another type; HSTS over TLS, with helmet's value. The dozen headers a
 * page needs are bytes on every cache hit that no browser reads from a JSON answer; a page served
 * under these replays helmetHeaders over them.
 */
export function apiHeaders(config: Pick<Config, 'PUBLIC_HTTPS' | 'TRUST_PROXY_HOPS'>): HeaderMiddleware {
  const overPlainHttp: Headers = [
    ['Cache-Control', 'no-store'],
    ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
  ];
  const hsts = recordHelmet({}).find(([name]) => name.toLowerCase() === 'strict-transport-security');
  if (!hsts) throw new Error('helmet sent no Strict-Transport-Security');
  return replayHeaders(config, { overTls: [...overPlainHttp, hsts], overPlainHttp });
}
