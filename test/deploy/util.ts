/** Small helpers for walking parsed YAML/JSON without `any`, and for the units manifests use. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `dig(doc, 'spec', 'template', 'spec')`: the value at that path, or undefined. */
export function dig(v: unknown, ...keys: (string | number)[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (typeof k === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[k];
    } else {
      if (!isObj(cur)) return undefined;
      cur = cur[k];
    }
  }
  return cur;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function objs(v: unknown): Obj[] {
  return arr(v).filter(isObj);
}

/** A scalar as a string (numbers and booleans as YAML would print them), else undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

export function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function rel(root: string, file: string): string {
  return path.relative(root, file) || '.';
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, m: 1e-3 };

/** Kubernetes quantity (`3Gi`, `512Mi`, `2G`, `1500000000`) in bytes; undefined when unreadable. */
export function kubeBytes(q: unknown): number | undefined {
  const s = str(q);
  const m = s === undefined ? null : /^(\d+(?:\.\d+)?)([KMGT]i|[kKMGTm])?$/.exec(s.trim());
  if (!m) return undefined;
  const unit = m[2];
  return Number(m[1]) * (unit === undefined ? 1 : (BINARY[unit] ?? DECIMAL[unit] ?? NaN));
}

/** Docker/compose byte value (`3G`, `512m`, `1gb`, `2048`): binary multiples, as Docker reads them. */
export function dockerBytes(q: unknown): number | undefined {
  const s = str(q);
  const m = s === undefined ? null : /^(\d+(?:\.\d+)?)\s*([bkmgt])?b?$/i.exec(s.trim());
  if (!m) return undefined;
  const exp = { b: 0, k: 1, m: 2, g: 3, t: 4 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Number(m[1]) * 1024 ** exp;
}

/** Compose/Go duration (`45s`, `1m30s`, `500ms`) in seconds; undefined when unreadable. */
export function durationSeconds(d: unknown): number | undefined {
  if (typeof d === 'number') return d;
  const s = str(d)?.trim();
  if (!s || !/^(\d+(\.\d+)?(h|ms|us|m|s))+$/.test(s)) return undefined;
  const scale: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6 };
  let total = 0;
  for (const part of s.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g)) {
    total += Number(part[1]) * (scale[part[2] ?? 's'] ?? 0);
  }
  return total;
}

export const MiB = 2 ** 20;

/** The host of a URL, or undefined when it does not parse. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** Splits a shell-ish command line: whitespace, single and double quotes. Enough for manifests. */
export function shellSplit(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) out.push(cur);
      cur = '';
      started = false;
    } else {
      cur += ch;
      started = true;
    }
  }
  if (started) out.push(cur);
  return out;
}

/** Edit distance, for "did you mean" hints on misspelt variable names. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min(
        (row[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}
