import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SuiteResults } from '../results.js';
import { renderMarkdown } from './markdown.js';
import { renderLatencySvg } from './svg.js';

/**
 * Writes `<date>.json`, `<date>.md` and `<date>-latency.svg` into `dir`, and `latest.md` /
 * `latest.json` (copies pointing at the same SVG) for README.md to link; returns the paths.
 */
export async function writeResults(dir: string, results: SuiteResults): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const svgName = `${results.date}-latency.svg`;
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const markdown = renderMarkdown(results, svgName);
  const files: Array<[string, string]> = [
    [`${results.date}.json`, json],
    [`${results.date}.md`, markdown],
    [
      svgName,
      renderLatencySvg(results.runs, `Latency per run, ${results.date} (${results.mode}): p50 and p99, log scale`),
    ],
    ['latest.json', json],
    ['latest.md', markdown],
  ];
  await Promise.all(files.map(([name, text]) => writeFile(join(dir, name), text)));
  return files.map(([name]) => join(dir, name));
}
