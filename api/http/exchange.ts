/**
 * A request and its answer as plain values. Handlers take and give these, never Express objects,
 * so the same handler can be served by any HTTP adapter.
 */
export interface ApiRequest {
  body: unknown;
  params: Record<string, string>;
  /** Header value by lower-case name. */
  header: (name: string) => string | undefined;
  requestId?: string;
  /**
   * Who sent it (see http/client-address.ts): what per-client limits count by. A function, called
   * only when a budget is spent, so a cache hit never pays for it.
   */
  client: () => string;
}

/**
 * A body already rendered as JSON, written byte for byte: an answer served again and again (a cached
 * score) is stringified once, not once per request.
 */
export class RenderedJson {
  /** The body in order: one piece for a score, a few kilobytes each for many (api/handlers/score-json.ts). */
  constructor(readonly pieces: readonly Buffer[]) {}
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON: a RenderedJson as it is, anything else through JSON.stringify. */
  body: unknown;
}

export type Handler = (request: ApiRequest) => Promise<ApiResponse>;
