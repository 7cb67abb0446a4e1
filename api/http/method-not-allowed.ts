import type { RequestHandler, Router } from 'express';
import { MethodNotAllowed } from '../../shared/errors.js';

/** What Express's router keeps of each `get`/`post`/`use` (its `stack`); read, never changed. */
interface RouterLayer {
  /** true for `use(handler)` without a path: it sees every path. */
  slash?: boolean;
  match: (path: string) => unknown;
  route?: { methods: Record<string, boolean | undefined> };
  handle: { stack?: RouterLayer[] };
}

/** The methods the routes under `layers` serve for `path` (HEAD wherever GET is, as Express does). */
function methodsFor(layers: readonly RouterLayer[], path: string): Set<string> {
  const methods = new Set<string>();
  for (const layer of layers) {
    if (layer.route) {
      if (!matches(layer, path)) continue;
      for (const [method, on] of Object.entries(layer.route.methods))
        if (on && method !== '_all') methods.add(method.toUpperCase());
      if (methods.has('GET')) methods.add('HEAD');
    } else if (layer.slash && layer.handle.stack) {
      for (const method of methodsFor(layer.handle.stack, path)) methods.add(method);
    }
  }
  return methods;
}

function matches(layer: RouterLayer, path: string): boolean {
  try {
    return layer.match(path) !== false;
  } catch {
    return false; // a path parameter that is not valid percent-encoding: no route of ours
  }
}

/**
 * Mounted after `router`'s routes: a path one of them serves, asked with another method, answers
 * 405 with `Allow` instead of a 404 that says the path does not exist. OPTIONS goes on to Express's
 * own answer (200 with `Allow`). Routers mounted under a path of their own (the board) keep theirs.
 */
export function methodNotAllowed(router: Router): RequestHandler {
  const layers = router.stack as unknown as RouterLayer[];
  return (req, _res, next) => {
    if (req.method === 'OPTIONS') return next();
    const allowed = methodsFor(layers, req.path);
    next(allowed.size > 0 && !allowed.has(req.method) ? new MethodNotAllowed([...allowed]) : undefined);
  };
}
