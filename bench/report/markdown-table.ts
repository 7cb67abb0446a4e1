/** A GitHub-flavoured Markdown table, one column alignment per header cell. */
export function table(header: readonly string[], align: readonly ('l' | 'r')[], rows: readonly string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}
