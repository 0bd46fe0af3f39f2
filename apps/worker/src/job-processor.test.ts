import { randomUUID } from 'node:crypto';

import type { Job } from 'bullmq';
import type { ModelRegistry } from '@openad-async/catalog';
import type { InferenceJob, StatusRecord, TerminalStatus } from '@openad-async/contracts';
import type { ModelRunner } from '@openad-async/models';
import type { ClaimResult, RecordStore, StagedRecord, TerminalLedger } from '@openad-async/queue';
import { silentLogger } from '@openad-async/telemetry';

import { createProcessor } from './job-processor';

/**
 * The processor against fakes: what the store is asked to do around the terminal claim.
 * `events` is the order of claim, stage, commit, discard and put as the fakes saw them.
 */
function setup(o: { claim: ClaimResult; stage?: 'ok' | 'fails' | 'absent' }) {
  const events: string[] = [];
  const stored: StatusRecord[] = [];
  const store: RecordStore = {
    put: (record) => {
      events.push('put');
      stored.push(record);
      return Promise.resolve(record);
    },
    get: () => Promise.resolve(null),
  };
  if (o.stage !== 'absent') {
    store.stage = (record) => {
      events.push('stage');
      if (o.stage === 'fails') return Promise.reject(new Error('disk full'));
      const staged: StagedRecord = {
        record,
        commit: () => {
          events.push('commit');
          stored.push(record);
          return Promise.resolve(record);
        },
        discard: () => {
          events.push('discard');
          return Promise.resolve();
        },
      };
      return Promise.resolve(staged);
    };
  }
  const ledger = {
    claimed: () => Promise.resolve(null),
    claim: (_kind: string, _id: string, status: TerminalStatus) => {
      events.push(`claim ${status}`);
      return Promise.resolve(o.claim);
    },
    store: async (record: StatusRecord, staged?: StagedRecord) =>
      staged ? staged.commit() : store.put(record),
  } as unknown as TerminalLedger;
  const runner = {
    run: () => {
      events.push('run');
      return Promise.resolve([{ subject: 'C', property: 'p', result: 1 }]);
    },
  } as unknown as ModelRunner;
  const registry = {
    resolve: () => ({ model: { id: 'm' }, parameters: {}, propertyType: ['p'] }),
  } as unknown as ModelRegistry;
  const process = createProcessor({
    kind: 'property',
    ledger,
    store,
    runner,
    registry,
    logger: silentLogger,
  });
  const id = randomUUID();
  const data: InferenceJob = {
    request_id: id,
    kind: 'property',
    service_type: 'get_molecule_property',
    service_name: 'fake',
    property_type: ['p'],
    subjects: ['C'],
    parameters: {},
    priority: 'normal',
    mode: 'async',
    created_at: Date.now(),
    deadline: null,
    owner: null,
  };
  const bull = {
    id,
    data,
    timestamp: data.created_at,
    processedOn: Date.now(),
    updateProgress: () => Promise.resolve(),
  } as unknown as Job;
  return { events, stored, run: () => process(bull) };
}

describe('job processor: the record around the terminal claim', () => {
  it('when the claim is won, then the record staged during the claim is committed, not put', async () => {
    const t = setup({ claim: { won: true } });
    await t.run();
    expect(t.events).toEqual(['run', 'stage', 'claim completed', 'commit']);
    expect(t.stored.map((r) => r.status)).toEqual(['completed']);
  });

  it('when the claim is lost, then the staged record is discarded and nothing is stored', async () => {
    const t = setup({ claim: { won: false, existing: 'completed' } });
    await t.run();
    expect(t.events).toEqual(['run', 'stage', 'claim completed', 'discard']);
    expect(t.stored).toEqual([]);
  });

  it('when staging fails, then the record is put after the claim', async () => {
    const t = setup({ claim: { won: true }, stage: 'fails' });
    await t.run();
    expect(t.events).toEqual(['run', 'stage', 'claim completed', 'put']);
    expect(t.stored.map((r) => r.status)).toEqual(['completed']);
  });

  it('when the store cannot stage, then the record is put after the claim', async () => {
    const t = setup({ claim: { won: true }, stage: 'absent' });
    await t.run();
    expect(t.events).toEqual(['run', 'claim completed', 'put']);
  });
});
