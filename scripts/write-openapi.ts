/**
 * Writes the OpenAPI document the gateway serves at /openapi.json to a file, from the built code
 * and the environment's BASE_PATH and BATCH_MAX_ITEMS, so tools (redocly lint, client generators)
 * read exactly what clients get: `node dist/scripts/write-openapi.js dist/openapi.json`.
 */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../api/docs/openapi.js';
import { loadConfig } from '../shared/config.js';
import { runMain } from '../shared/lifecycle.js';

runMain(async () => {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error('usage: write-openapi.js <file>');
  const config = loadConfig(process.env);
  writeFileSync(file, `${JSON.stringify(openApiDocument(config.BASE_PATH, config.BATCH_MAX_ITEMS), null, 2)}\n`);
});
