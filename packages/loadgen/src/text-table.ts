/**
 * A plain-text table: the first line is the header, the first `leftColumns` columns (names)
 * left-aligned and the rest (figures) right-aligned, a rule under the header, and a footer line
 * when one is given.
 */
export function formatColumns(lines: string[][], footer?: string, leftColumns = 1): string {
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const format = (line: string[]): string =>
    line.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const table = [format(lines[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1).map(format)];
  return (footer === undefined ? table : [...table, footer]).join('\n');
}

/** A whole number with thousands separators, or `-`. */
export const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
