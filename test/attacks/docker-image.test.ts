import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_DOCUMENTS } from '../../api/docs/docs-routes.js';
import { openApiDocument } from '../../api/docs/openapi.js';
import { PROJECT_ROOT } from '../support/processes.js';

/** The sources of every COPY of the Dockerfile's last stage (the image that runs), `--from` copies left out. */
function runtimeCopySources(dockerfile: string): string[] {
  const stages = dockerfile.split(/^FROM\s/m);
  return stages[stages.length - 1]!.split('\n')
    .map((line) => line.trim())
    .filter((line) => /^COPY\s/i.test(line) && !/--from=/i.test(line))
    .flatMap((line) => {
      const args = line
        .split(/\s+/)
        .slice(1)
        .filter((arg) => !arg.startsWith('--'));
      return args.slice(0, -1);
    });
}

/** What `.dockerignore` keeps out of the build context, one pattern a line. */
function ignored(): string[] {
  return readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

describe('attack: follow the /docs links in a container (issue 10, item 6)', () => {
  // What a reader of /docs can click: every /model/... link of the page's description.
  const description = openApiDocument('', 10).info.description ?? '';
  const linked = [...description.matchAll(/\]\(\/model\/([^)]+)\)/g)].map((match) => match[1]!);
  const documents = [...new Set([...linked, ...MODEL_DOCUMENTS.keys()])];

  it('the docs page links to the model card and both plots', () => {
    expect(linked).toEqual(expect.arrayContaining(['MODEL_CARD.md', 'roc.svg', 'calibration.svg']));
  });

  it.each(documents)('model/%s exists and the runtime image copies it (a COPY of the file or of model/)', (file) => {
    expect(existsSync(join(PROJECT_ROOT, 'model', file))).toBe(true);
    const sources = runtimeCopySources(readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
    expect(sources.some((source) => source === `model/${file}` || /^model\/?$/.test(source))).toBe(true);
    expect(ignored().filter((pattern) => pattern === 'model' || pattern === `model/${file}`)).toEqual([]);
  });
});
