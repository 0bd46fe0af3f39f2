import type { StatusRecord } from '@openad-async/contracts';

import { RecordCache } from './record-cache';

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function record(n: number, extra: Partial<StatusRecord> = {}): StatusRecord {
  return {
    request_id: ID(n),
    status: 'completed',
    service_name: 'noop',
    created_at: '2026-11-26T00:00:00.000Z',
    expires_at: '2026-11-27T00:00:00.000Z',
    ...extra,
  } as StatusRecord;
}

const bytesOf = (r: StatusRecord) => JSON.stringify(r).length;
const T0 = Date.parse('2026-11-26T12:00:00.000Z');

describe('RecordCache', () => {
  it('when a record was set, then get returns it until its expires_at', () => {
    let now = T0;
    const cache = new RecordCache({ maxBytes: 10_000, now: () => now });
    cache.set(record(1));
    expect(cache.get(ID(1))).toEqual(record(1));
    now = Date.parse('2026-11-27T00:00:00.000Z');
    expect(cache.get(ID(1))).toBeNull();
    expect(cache.size()).toEqual({ entries: 0, bytes: 0 });
  });

  it('when a record is already expired or the budget is 0, then nothing is kept', () => {
    const cache = new RecordCache({ maxBytes: 10_000, now: () => T0 });
    cache.set(record(1, { expires_at: '2026-11-26T11:59:59.000Z' }));
    expect(cache.get(ID(1))).toBeNull();
    const off = new RecordCache({ maxBytes: 0 });
    off.set(record(2));
    expect(off.get(ID(2))).toBeNull();
  });

  it('when the budget is exceeded, then the least recently used records go first', () => {
    const one = bytesOf(record(1));
    const cache = new RecordCache({ maxBytes: one * 8 + 1, now: () => T0 });
    for (let n = 1; n <= 8; n += 1) cache.set(record(n));
    expect(cache.get(ID(1))).not.toBeNull(); // 1 is now the most recently used
    cache.set(record(9));
    expect(cache.get(ID(2))).toBeNull();
    expect(cache.get(ID(1))).not.toBeNull();
    expect(cache.get(ID(9))).not.toBeNull();
    expect(cache.size().entries).toBe(8);
    expect(cache.size().bytes).toBeLessThanOrEqual(one * 8 + 1);
  });

  it('when one record is larger than an eighth of the budget, then it is not kept and evicts nothing', () => {
    const cache = new RecordCache({ maxBytes: 2000, now: () => T0 });
    cache.set(record(1));
    cache.set(record(2, { result: 'x'.repeat(300) } as Partial<StatusRecord>));
    expect(cache.get(ID(2))).toBeNull();
    expect(cache.get(ID(1))).not.toBeNull();
  });

  it('when a callback is still pending, then the record is not kept (its delivery rewrites it)', () => {
    const cache = new RecordCache({ maxBytes: 10_000, now: () => T0 });
    const callback = { url: 'https://example.org/hook', attempts: 0 };
    cache.set(record(1, { callback: { ...callback, status: 'pending' } }));
    expect(cache.get(ID(1))).toBeNull();
    cache.set(record(2, { callback: { ...callback, status: 'delivered', attempts: 1 } }));
    expect(cache.get(ID(2))).not.toBeNull();
  });

  it('when the same record is set twice, then it is counted once', () => {
    const cache = new RecordCache({ maxBytes: 10_000, now: () => T0 });
    cache.set(record(1));
    cache.set(record(1));
    expect(cache.size()).toEqual({ entries: 1, bytes: bytesOf(record(1)) });
  });

  it('when a record never expires, then it stays until evicted', () => {
    const cache = new RecordCache({ maxBytes: 10_000, now: () => T0 + 1e12 });
    const forever = record(1);
    delete forever.expires_at;
    cache.set(forever);
    expect(cache.get(ID(1))).toEqual(forever);
  });

  it('when the budget is negative or not a number, then it throws naming the option', () => {
    expect(() => new RecordCache({ maxBytes: -1 })).toThrow(/maxBytes/);
    expect(() => new RecordCache({ maxBytes: Number.NaN })).toThrow(/maxBytes/);
  });
});
