import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import { BOARD_PATH } from '../admin/queue-board.js';
import type { Landing } from '../contract.js';

type Links = z.infer<typeof Landing>['links'];

/** Where a newcomer goes next, relative to the host (BASE_PATH included). */
function landingLinks(basePath: string): Links {
  return {
    docs: `${basePath}/docs/`,
    openapi: `${basePath}/openapi.json`,
    model_card: `${basePath}/model/MODEL_CARD.md`,
    health: `${basePath}/healthz`,
    readiness: `${basePath}/readyz`,
    board: `${basePath}${BOARD_PATH}`,
    metrics: `${basePath}/metrics`,
  };
}

/** BASE_PATH is limited to [A-Za-z0-9._~-] segments by the config, so it needs no HTML escaping. */
function landingPage(links: Links): string {
  const item = (href: string, text: string, note: string) => `<li><a href="${href}">${text}</a> ${note}</li>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Credit scoring</title>
<link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}</style>
</head>
<body>
<h1>Credit scoring</h1>
<p>Scores credit applicants with a logistic-regression model: a decision, a probability of default and a risk category.</p>
<ul>
${item(links.docs, 'API documentation', '(try the endpoints in the browser)')}
${item(links.openapi, 'OpenAPI document', '(generate a client from it)')}
${item(links.model_card, 'Model card', '(data, metrics, limits)')}
${item(links.health, 'Health', `and <a href="${links.readiness}">readiness</a>`)}
${item(links.board, 'Queue board', '(operators; asks for credentials)')}
${item(links.metrics, 'Metrics', '(Prometheus; asks for credentials)')}
</ul>
</body>
</html>
`;
}

/**
 * GET / : a small page for a browser, the same links as JSON for an API client (chosen by Accept;
 * `*` and no Accept get JSON, as curl and most clients send).
 */
export function landingRoutes(basePath: string, pageHeaders: RequestHandler): Router {
  const links = landingLinks(basePath);
  const page = landingPage(links);
  const router = Router();
  router.get('/', (req, res) => {
    res.vary('Accept');
    if (req.accepts(['json', 'html']) === 'html') pageHeaders(req, res, () => res.type('html').send(page));
    else res.json({ service: 'credit-scoring', links } satisfies z.infer<typeof Landing>);
  });
  return router;
}
