import type { PriorityName } from '@openad-async/contracts';

import type { OpenadClient } from '../openad-client';

/** Usage mistakes: printed with a hint to `--help`, exit 2. */
export class UsageError extends Error {}

/** What every command gets: a client, the shared submit options, the streams and the stop signal. */
export interface CliContext {
  client: OpenadClient;
  priority?: PriorityName;
  timeoutSeconds?: number;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream;
  /** Aborted on Ctrl-C: commands stop, cancel what they submitted, and exit 130. */
  signal: AbortSignal;
  quiet: boolean;
}

const PRIORITIES: readonly string[] = ['low', 'normal', 'high', 'critical'];

export function parsePriority(value: string | undefined): PriorityName | undefined {
  if (value === undefined) return undefined;
  const p = value.toLowerCase();
  if (!PRIORITIES.includes(p)) {
    throw new UsageError(`--priority must be one of ${PRIORITIES.join(', ')}, not "${value}"`);
  }
  return p as PriorityName;
}

export function parsePositive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${name} must be a positive number, not "${value}"`);
  }
  return n;
}

export function parseWhole(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`--${name} must be a whole number >= 1, not "${value}"`);
  }
  return n;
}

/**
 * `--param key=value` (repeatable) as model parameters. A value that reads as JSON (a number,
 * true/false, a list) is sent as such, anything else as a string.
 */
export function parseParams(values: readonly string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of values ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param must look like key=value, not "${item}"`);
    const raw = item.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: a plain string
    }
    out[item.slice(0, eq)] = value;
  }
  return out;
}

/** A comma-separated list, blanks dropped. */
export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
