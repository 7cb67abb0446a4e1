import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';
import { parseClusterUrl } from '../../shared/redis-url.js';
import { redactUrl } from '../../shared/redis-policy.js';

/** Whether shared/config.ts takes `url` as REDIS_URL. */
function configAccepts(url: string): boolean {
  try {
    loadConfig({ REDIS_URL: url });
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

describe('parseClusterUrl', () => {
  it('redis+cluster://host:port,host:port/ -> the seeds in order, no TLS, no credentials', () => {
    expect(parseClusterUrl('redis+cluster://10.0.0.1:7000,redis-1.internal:7001/')).toEqual({
      seeds: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-1.internal', port: 7001 },
      ],
      tls: false,
    });
  });

  it('no trailing slash and a single seed -> still a cluster URL', () => {
    expect(parseClusterUrl('redis+cluster://127.0.0.1:30001')).toEqual({
      seeds: [{ host: '127.0.0.1', port: 30001 }],
      tls: false,
    });
  });

  it('rediss+cluster:// with user and percent-encoded password -> TLS, decoded credentials', () => {
    expect(
      parseClusterUrl('rediss+cluster://scoring:p%40ss%2Fw0rd@node-a.cache.example:6380,node-b.cache.example:6380/'),
    ).toEqual({
      seeds: [
        { host: 'node-a.cache.example', port: 6380 },
        { host: 'node-b.cache.example', port: 6380 },
      ],
      username: 'scoring',
      password: 'p@ss/w0rd',
      tls: true,
    });
  });

  it('a password alone (:secret@) -> password without username; a user alone -> username without password', () => {
    expect(parseClusterUrl('redis+cluster://:secret@h:1/')).toEqual({
      seeds: [{ host: 'h', port: 1 }],
      password: 'secret',
      tls: false,
    });
    expect(parseClusterUrl('redis+cluster://reader@h:1/')).toEqual({
      seeds: [{ host: 'h', port: 1 }],
      username: 'reader',
      tls: false,
    });
  });

  it.each([
    ['a plain Redis URL', 'redis://127.0.0.1:6379'],
    ['a plain TLS URL', 'rediss://user:pw@host:6380/0'],
    ['a seed without port', 'redis+cluster://host/'],
    ['a database path', 'redis+cluster://h:1,h:2/0'],
    ['an empty seed', 'redis+cluster://h:1,,h:2/'],
    ['another scheme', 'http+cluster://h:1/'],
    ['an unencoded @ in the password', 'redis+cluster://u:p@ss@h:1/'],
    ['a bracketed IPv6 seed (not supported)', 'redis+cluster://[::1]:7000/'],
    ['nothing', ''],
  ])('%s (%s) -> undefined', (_what, url) => {
    expect(parseClusterUrl(url)).toBeUndefined();
  });
});

describe('redactUrl', () => {
  it.each([
    ['redis://:secret@host:6379', 'redis://:***@host:6379'],
    ['redis://user:secret@host:6379/0', 'redis://user:***@host:6379/0'],
    ['redis://host:6379', 'redis://host:6379'],
    ['redis+cluster://:secret@a:1,b:2/', 'redis+cluster://:***@a:1,b:2/'],
    ['rediss+cluster://scoring:p%40ss@a:1,b:2/', 'rediss+cluster://scoring:***@a:1,b:2/'],
    ['redis+cluster://reader@a:1/', 'redis+cluster://reader@a:1/'],
    ['redis+cluster://a:1,b:2', 'redis+cluster://a:1,b:2'],
  ])('%s -> %s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });

  it('never lets the password through, whatever it is (property)', () => {
    // Any text, percent-encoded as a client library would put it in a URL.
    const password = fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' }).map(encodeURIComponent);
    fc.assert(
      fc.property(password, fc.boolean(), (secret, tls) => {
        const url = `${tls ? 'rediss' : 'redis'}+cluster://user:${secret}@a.example:7000,b.example:7001/`;
        const redacted = redactUrl(url);
        return !redacted.includes(`:${secret}@`) && redacted.endsWith('@a.example:7000,b.example:7001/');
      }),
    );
  });
});

describe('shared/config.ts and parseClusterUrl agree on cluster URLs', () => {
  it.each([
    'redis+cluster://10.0.0.1:7000,10.0.0.2:7001/',
    'rediss+cluster://scoring:p%40ss@node-a.cache.example:6380/',
    'redis+cluster://127.0.0.1:30001',
  ])('%s -> accepted as REDIS_URL, CACHE_REDIS_URL and QUEUE_REDIS_URL', (url) => {
    expect(loadConfig({ REDIS_URL: url })).toMatchObject({
      REDIS_URL: url,
      CACHE_REDIS_URL: url,
      QUEUE_REDIS_URL: url,
    });
    expect(loadConfig({ CACHE_REDIS_URL: url, QUEUE_REDIS_URL: url })).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      CACHE_REDIS_URL: url,
      QUEUE_REDIS_URL: url,
    });
  });

  it.each(['redis+cluster://host/', 'redis+cluster://h:1,h:2/0', 'http+cluster://h:1/', 'redis+cluster://[::1]:7000/'])(
    '%s -> ConfigError naming REDIS_URL',
    (url) => {
      expect(() => loadConfig({ REDIS_URL: url })).toThrow(ConfigError);
      expect(() => loadConfig({ REDIS_URL: url })).toThrow(/REDIS_URL/);
    },
  );

  it('a malformed percent-escape in the password (%zz, a lone %C3) -> ConfigError at start-up, not a URIError when connecting', () => {
    for (const url of ['redis+cluster://user:%zz@h:1/', 'redis+cluster://user:%C3@h:1/']) {
      expect(() => parseClusterUrl(url)).not.toThrow();
      expect(configAccepts(url)).toBe(false);
    }
  });

  it('any string built from URL pieces: config accepts it as a cluster URL exactly when parseClusterUrl parses it (property)', () => {
    const scheme = fc.constantFrom(
      'redis+cluster',
      'rediss+cluster',
      'redis-cluster',
      'http+cluster',
      'redis+clusters',
    );
    const userinfo = fc.constantFrom('', 'user@', ':pw@', 'user:pw@', 'u:p%40@', 'u:p@q@', ' @', 'user:@');
    const host = fc.constantFrom('h', '10.0.0.1', 'node-a.example', '', '[::1]', 'h_1', 'h x');
    const port = fc.constantFrom(':7000', ':1', '', ':', ':70a');
    const seeds = fc.array(
      fc.tuple(host, port).map(([h, p]) => h + p),
      { minLength: 0, maxLength: 3 },
    );
    const tail = fc.constantFrom('', '/', '/0', '//', '?x=1');
    fc.assert(
      fc.property(scheme, userinfo, seeds, tail, (s, u, hosts, t) => {
        const url = `${s}://${u}${hosts.join(',')}${t}`;
        return configAccepts(url) === (parseClusterUrl(url) !== undefined);
      }),
      { numRuns: 500 },
    );
  });
});
