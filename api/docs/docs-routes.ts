import { join, resolve } from 'node:path';
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { Config } from '../../shared/config.js';
import { helmetHeaders } from '../http/security-headers.js';
import { openApiDocument } from './openapi.js';

/**
 * The model's documents that /docs links to; nothing else in model/ is served. A Map, not an object
 * literal: `/model/constructor` must find nothing, not Object.prototype's members.
 */
export const MODEL_DOCUMENTS = new Map([
  ['MODEL_CARD.md', 'text/markdown; charset=utf-8'],
  ['roc.svg', 'image/svg+xml'],
  ['calibration.svg', 'image/svg+xml'],
  ['manifest.json', 'application/json'],
]);

/**
 * Swagger UI (served from the installed swagger-ui-dist, no CDN) needs inline styles; its scripts
 * are our own files, so only style-src is relaxed, and only here.
 */
const DOCS_PAGE_DIRECTIVES = { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] };

export interface DocsDeps {
  basePath: string;
  batchMaxItems: number;
  modelDir: string;
  /** Whether the page may ask for https (HSTS, upgrade-insecure-requests): see helmetHeaders. */
  tls: Pick<Config, 'PUBLIC_HTTPS' | 'TRUST_PROXY_HOPS'>;
}

/** /openapi.json, the /docs page, and the model card with its plots under /model. */
export function docsRoutes({ basePath, batchMaxItems, modelDir, tls }: DocsDeps): Router {
  const document = openApiDocument(basePath, batchMaxItems);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use(
    '/docs',
    helmetHeaders(tls, DOCS_PAGE_DIRECTIVES),
    swaggerUi.serveFiles(document),
    swaggerUi.setup(document, { customSiteTitle: 'Credit scoring API' }),
  );
  const root = resolve(modelDir);
  // The plots and the card open as documents of their own: a page's policy (inline SVG styles).
  router.get('/model/:file', helmetHeaders(tls), (req, res, next) => {
    const type = MODEL_DOCUMENTS.get(req.params.file);
    if (!type) return next();
    res.type(type).sendFile(join(root, req.params.file));
  });
  return router;
}
