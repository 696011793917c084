/** Plain-text tables with aligned columns, for terminals and CI logs alike. */
export function formatTable(header: string[] | undefined, rows: string[][], options: { rightAlign?: number[] } = {}): string {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const row of all) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const right = new Set(options.rightAlign ?? []);
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 && !right.has(i) ? cell : right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return all.map(line).join('\n');
}
