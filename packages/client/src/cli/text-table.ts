/** Rows as aligned columns, for people: numbers right-aligned, text left-aligned. */
export function textTable(header: readonly string[], rows: readonly unknown[][]): string {
  const cells = [header, ...rows.map((r) => r.map(cellText))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const numeric = header.map(
    (_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number' || r[c] === null),
  );
  return cells
    .map((r) =>
      r
        .map((cell, c) => {
          const w = widths[c] ?? 0;
          return numeric[c] ? cell.padStart(w) : cell.padEnd(w);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Cuts text to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
