/**
 * The end of a job alone, as the worker does it: the terminal claim (TerminalLedger, the real
 * Lua on Redis) and the record in the directory store, either one after the other (claim, then
 * put) or overlapped (stage while the claim is in flight, then commit). Interleaved A/B, one at a
 * time with a pause between, like the paced worker. Env: BENCH_N (2000), BENCH_GAP_MS (3).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import type { StatusRecord } from '@openad-async/contracts';
import { RedisKeys, TerminalLedger } from '@openad-async/queue';
import { FsResultStore } from '@openad-async/results';
import { silentLogger } from '@openad-async/telemetry';

import { sleep } from './lib/env';
import { cleanPrefix, connect, newPrefix } from './lib/redis';
import { table } from './lib/report';
import { fmt, latencySummary } from './lib/stats';

const N = Number(process.env.BENCH_N ?? 2000);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 3);

function record(id: string): StatusRecord {
  const at = new Date().toISOString();
  return {
    request_id: id,
    status: 'completed',
    service_type: 'get_molecule_property',
    service_name: 'bench noop',
    priority: 'normal',
    created_at: at,
    started_at: at,
    completed_at: at,
    elapsed_time: '0.0s',
    processing_time: '0.0s',
    result: [{ subject: id, property: 'noop', result: 0 }],
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openad-claim-overlap-'));
  const store = new FsResultStore({ dir }, silentLogger);
  await store.start();
  const prefix = newPrefix('claim-overlap');
  const redis = connect('openad-bench-claim-overlap');
  const ledger = new TerminalLedger({ redis, keys: new RedisKeys(prefix), store });
  const won = async (id: string) => {
    if (!(await ledger.claim('property', id, 'completed')).won) throw new Error('claim lost');
  };
  const variants: Record<string, { label: string; run: (id: string) => Promise<void> }> = {
    claim: { label: 'the claim alone', run: won },
    sequential: {
      label: 'claim, then put (before)',
      run: async (id) => {
        await won(id);
        await store.put(record(id));
      },
    },
    overlapped: {
      label: 'stage while claiming, then commit (now)',
      run: async (id) => {
        const staging = store.stage(record(id));
        await won(id);
        await (await staging).commit();
      },
    },
  };
  const lat: Record<string, number[]> = { claim: [], sequential: [], overlapped: [] };
  const keys = Object.keys(variants);
  for (const k of keys) for (let i = 0; i < 50; i += 1) await variants[k]!.run(randomUUID());
  const load0 = os.loadavg();
  for (let i = 0; i < N; i += 1) {
    // Alternate which goes first, so neither always follows the other's fsync.
    for (const k of i % 2 ? keys : [...keys].reverse()) {
      const s = performance.now();
      await variants[k]!.run(randomUUID());
      lat[k]!.push(performance.now() - s);
      await sleep(GAP_MS);
    }
  }
  const load1 = os.loadavg();
  await store.close();
  await cleanPrefix(prefix);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  console.log(
    [
      `claim-overlap: N=${N} each, ${GAP_MS} ms apart, ${os.cpus().length} cores, Node ${process.version};`,
      `load average (1/5/15) ${fmtLoad(load0)} at start, ${fmtLoad(load1)} at end`,
      '',
      ...table(
        ['end of a job', 'p50 ms', 'p90 ms', 'p99 ms'],
        keys.map((k) => {
          const s = latencySummary(lat[k]!);
          return [variants[k]!.label, fmt(s.p50, 3), fmt(s.p90, 3), fmt(s.p99, 3)];
        }),
      ),
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
