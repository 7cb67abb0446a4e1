import { ms } from '../report/format.js';
import { table } from '../report/markdown-table.js';
import type { ProfileSummary } from './cpu-profile.js';

/** One process's profile as two Markdown tables: top functions by self time, then modules. */
export function summaryTables(summary: ProfileSummary): string[] {
  return [
    ...table(
      ['Function (file:line)', 'Self ms', 'Share'],
      ['l', 'r', 'r'],
      summary.top.map((t) => [`\`${t.name}\``, ms(t.selfMs), `${(t.share * 100).toFixed(1)} %`]),
    ),
    '',
    'By module (each sample charged to the nearest frame of a package or of our own code):',
    '',
    ...table(
      ['Module', 'ms', 'Share'],
      ['l', 'r', 'r'],
      summary.topModules.map((t) => [`\`${t.name}\``, ms(t.selfMs), `${(t.share * 100).toFixed(1)} %`]),
    ),
  ];
}
