import { randomUUID } from 'node:crypto';

import type { StatusRecord } from '@openad-async/contracts';
import type { LogFields, Logger } from '@openad-async/telemetry';

export const T0 = Date.parse('2030-01-01T00:00:00.000Z');
export const HOUR = 3_600_000;

export function sampleRecord(overrides: Partial<StatusRecord> = {}): StatusRecord {
  return {
    request_id: randomUUID(),
    status: 'completed',
    service_type: 'get_molecule_property',
    service_name: 'qed',
    priority: 'normal',
    created_at: new Date(T0 - 9000).toISOString(),
    started_at: new Date(T0 - 8000).toISOString(),
    completed_at: new Date(T0).toISOString(),
    elapsed_time: '9.00s',
    processing_time: '8.00s',
    result: [{ subject: 'CCO', property: 'qed', result: 0.41 }],
    ...overrides,
  };
}

/** A clock tests move by hand. */
export function manualClock(start = T0): { now: () => number; set(ms: number): void } {
  let current = start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
  };
}

export interface LogEntry {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  fields: LogFields;
}

/** Keeps every line (children included) so tests can assert on warnings. */
export function recordingLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const make = (base: LogFields): Logger => ({
    error: (message, fields = {}) =>
      entries.push({ level: 'error', message, fields: { ...base, ...fields } }),
    warn: (message, fields = {}) =>
      entries.push({ level: 'warn', message, fields: { ...base, ...fields } }),
    info: (message, fields = {}) =>
      entries.push({ level: 'info', message, fields: { ...base, ...fields } }),
    debug: (message, fields = {}) =>
      entries.push({ level: 'debug', message, fields: { ...base, ...fields } }),
    child: (fields) => make({ ...base, ...fields }),
  });
  return { logger: make({}), entries };
}
