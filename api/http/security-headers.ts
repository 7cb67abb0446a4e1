import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

type HeaderValue = string | number | readonly string[];

/**
 * helmet's default headers, worked out once: helmet is run against a recording response at start-up
 * and the result replayed on every answer. helmet's defaults do not depend on the request, and a
 * dozen middleware calls per request cost more than the cache hit they decorate. Both HTTP lanes
 * use this one function, so their headers are the same by construction.
 */
export function helmetHeaders(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const headers: Array<[string, HeaderValue]> = [];
  const recorder = {
    setHeader: (name: string, value: HeaderValue) => headers.push([name, value]),
    removeHeader: () => undefined,
    getHeader: () => undefined,
  };
  let recorded = false;
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, () => (recorded = true));
  // helmet answers synchronously today; fail loudly at start-up if that ever changes.
  if (!recorded) throw new Error('helmet did not finish synchronously');
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
