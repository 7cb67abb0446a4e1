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

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export type Handler = (request: ApiRequest) => Promise<ApiResponse>;
