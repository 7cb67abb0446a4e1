/** Redis URLs the service accepts beyond redis:// and rediss://. No ioredis here: config imports it. */

/**
 * `redis+cluster://[user:password@]host:port,host:port/` (or `rediss+cluster://` for TLS): the seed
 * nodes of a Redis Cluster. Any few masters will do; the client learns the rest from CLUSTER SLOTS.
 * shared/config.ts accepts exactly what parseClusterUrl parses.
 */
export const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@\s/]+)@)?([\w.-]+:\d+(?:,[\w.-]+:\d+)*)\/?$/;

export interface ClusterUrl {
  seeds: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  tls: boolean;
}

/**
 * The parts of a cluster URL; undefined for anything else (a plain redis:// URL included, and a
 * user or password whose percent-escapes do not decode).
 */
export function parseClusterUrl(url: string): ClusterUrl | undefined {
  try {
    return parseMatch(CLUSTER_URL.exec(url));
  } catch (error) {
    if (error instanceof URIError) return undefined;
    throw error;
  }
}

function parseMatch(match: RegExpExecArray | null): ClusterUrl | undefined {
  if (!match) return undefined;
  const [, scheme, userinfo, hosts] = match;
  const seeds = hosts!.split(',').map((seed) => {
    const colon = seed.lastIndexOf(':');
    return { host: seed.slice(0, colon), port: Number(seed.slice(colon + 1)) };
  });
  const parsed: ClusterUrl = { seeds, tls: scheme === 'rediss' };
  if (userinfo) {
    const colon = userinfo.indexOf(':');
    const username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    if (username) parsed.username = username;
    if (colon >= 0) parsed.password = decodeURIComponent(userinfo.slice(colon + 1));
  }
  return parsed;
}
