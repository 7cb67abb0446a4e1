/**
 * The part of autocannon 8's programmatic API the bench uses. The package ships no types and
 * nothing may be installed, so this declares only what load.ts calls.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      /** Called before each request is encoded; returns the request to send. */
      setupRequest?: (request: Request) => Request;
    }

    interface Options {
      url: string;
      connections: number;
      /** Seconds; ignored when `amount` is set. */
      duration?: number;
      /** Exactly this many requests, then stop. */
      amount?: number;
      /** With `duration`: stop early after this many requests. */
      maxOverallRequests?: number;
      /** Requests per second over all connections (at least 1); unset sends as fast as answers come. */
      overallRate?: number;
      /** Milliseconds between autocannon's internal samples; also how late it notices the end. */
      sampleInt?: number;
      /** Seconds before a request counts as timed out. */
      timeout?: number;
      method?: string;
      headers?: Record<string, string>;
      requests?: Request[];
      /** Called with each connection's client; it emits 'headers' with `{ headers: string[] }` per answer. */
      setupClient?: (client: EventEmitter) => void;
    }

    interface Result {
      /** Connection errors, timeouts included. */
      errors: number;
      timeouts: number;
    }

    interface Instance extends EventEmitter {
      stop(): void;
    }
  }

  function autocannon(
    options: autocannon.Options,
    callback: (error: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance;

  export = autocannon;
}
