/** One CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180). */
export function csvField(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

/**
 * Splits one CSV line into fields (quotes, doubled quotes, either separator). Fields spanning
 * lines are not supported: molecule files have none, and a clear error beats a silent merge.
 */
export function splitCsvLine(line: string, separator = ','): string[] {
  const fields: string[] = [];
  let field = '';
  let state: 'start' | 'plain' | 'quoted' | 'closed' = 'start';
  const push = () => {
    fields.push(state === 'closed' ? field : field.trim());
    field = '';
    state = 'start';
  };
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i] ?? '';
    if (state === 'quoted') {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        state = 'closed';
      } else {
        field += c;
      }
    } else if (c === separator) {
      push();
    } else if (state === 'closed') {
      if (c.trim() !== '') throw new Error(`text after a closing quote at column ${i + 1}`);
    } else if (c === '"' && field.trim() === '') {
      state = 'quoted';
      field = '';
    } else {
      field += c;
      state = 'plain';
    }
  }
  if (state === 'quoted') throw new Error('unterminated quoted field');
  push();
  return fields;
}
