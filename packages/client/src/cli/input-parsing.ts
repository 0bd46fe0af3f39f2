import { splitCsvLine } from './csv';

/** One subject of the input, numbered in input order (1-based, data records only). */
export interface InputRow {
  row: number;
  subject: string;
  /** A name or id the input gave the subject (second .smi field, a name/id CSV column). */
  name?: string;
}

export type InputFormat = 'smi' | 'csv' | 'tsv';

/** An input the CLI cannot read; the message names the line. */
export class InputError extends Error {}

/** The format from `--input-format`, else from the file's extension; stdin and others: smi. */
export function inputFormatOf(path: string, given?: string): InputFormat {
  const ext = path === '-' || !/\.[^./\\]+$/.test(path) ? '' : (path.split('.').pop() ?? '');
  switch ((given ?? ext).toLowerCase()) {
    case 'csv':
      return 'csv';
    case 'tsv':
    case 'tab':
      return 'tsv';
    case 'smi':
    case 'smiles':
    case 'txt':
      return 'smi';
    default:
      if (given !== undefined) {
        throw new InputError(`unknown input format "${given}": use smi, csv or tsv`);
      }
      // Any other file: one subject per line is the least surprising reading.
      return 'smi';
  }
}

/** Parses lines of the given format into rows. */
export function parseInput(
  lines: readonly string[],
  format: InputFormat,
  column?: string,
): InputRow[] {
  return format === 'smi'
    ? parseSmi(lines)
    : parseTable(lines, format === 'tsv' ? '\t' : ',', column);
}

/**
 * SMILES files: one subject per line, optionally followed by whitespace and a name; blank
 * lines and lines starting with '#' are skipped.
 */
export function parseSmi(lines: readonly string[]): InputRow[] {
  const rows: InputRow[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+)(?:\s+(.*))?$/.exec(line);
    const subject = match?.[1] ?? line;
    const name = match?.[2]?.trim();
    rows.push({ row: rows.length + 1, subject, ...(name ? { name } : {}) });
  }
  return rows;
}

const SUBJECT_COLUMNS = ['smiles', 'subject', 'canonical_smiles', 'sequence', 'protein'];
const NAME_COLUMNS = ['name', 'id', 'title'];

/**
 * CSV/TSV with a header line. The subject column is `column` when given, else the first one
 * named like smiles/subject/sequence, else the first column; a name/id column, if any, is kept.
 */
export function parseTable(
  lines: readonly string[],
  separator: string,
  column?: string,
): InputRow[] {
  let header: string[] | null = null;
  let subjectAt = 0;
  let nameAt = -1;
  const rows: InputRow[] = [];
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    let fields: string[];
    try {
      fields = splitCsvLine(raw, separator);
    } catch (err) {
      throw new InputError(`line ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (header === null) {
      header = fields;
      const lower = header.map((h) => h.toLowerCase());
      if (column !== undefined) {
        subjectAt = lower.indexOf(column.toLowerCase());
        if (subjectAt === -1) {
          throw new InputError(`no column "${column}" in the header (${header.join(', ')})`);
        }
      } else {
        const named = lower.findIndex((h) => SUBJECT_COLUMNS.includes(h));
        subjectAt = named === -1 ? 0 : named;
      }
      nameAt = lower.findIndex((h, at) => at !== subjectAt && NAME_COLUMNS.includes(h));
      continue;
    }
    const subject = fields[subjectAt] ?? '';
    const name = nameAt === -1 ? undefined : fields[nameAt];
    rows.push({ row: rows.length + 1, subject, ...(name ? { name } : {}) });
  }
  return rows;
}

/** Consecutive slices of at most `size` items. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('chunk size must be >= 1');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
