import { request, type Agent } from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpInit {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  /** A keep-alive agent the caller destroys when done; without one, the connection closes after the answer. */
  agent?: Agent;
}

/**
 * One HTTP request outside a load run (probes, priming, polling, metrics). By default on a
 * connection of its own that is closed afterwards: fetch would keep it alive in a pool, and a
 * gateway draining on SIGTERM waits for every open connection, so each stop would wait for that
 * pool's idle timer.
 */
export function httpRequest(url: string, init: HttpInit = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const options = { method: init.method ?? 'GET', headers: init.headers, agent: init.agent ?? false };
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.once('error', reject);
    req.end(init.body);
  });
}

/** A JSON request and its parsed answer; the caller checks the status. */
export async function requestJson(
  url: string,
  init: Omit<HttpInit, 'method'> = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const answer = await httpRequest(url, {
    ...init,
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
  });
  return { ...answer, body: answer.text ? (JSON.parse(answer.text) as unknown) : undefined };
}

/** Lets a synchronous call wait up to 30 s (RFC 7240), for priming and batches of misses. */
export const PREFER_LONG_WAIT = { prefer: 'wait=30' } as const;
