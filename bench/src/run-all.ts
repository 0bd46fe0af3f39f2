/**
 * `npm run bench`: every bench in turn, each in its own process (so one's servers and memory
 * never overlap another's measurement); a failing bench is reported and the others still run.
 * Env is passed through (BENCH_REPS, BENCH_PROFILE, BENCH_MAX_LOAD, …). About 20-25 minutes.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BENCHES = [
  'cache-sim',
  'e2e',
  'submit-latency',
  'status',
  'worker-overhead',
  'stats-cost',
  'models',
  'breakdown',
];

const only = process.argv.slice(2);
const failed: string[] = [];
for (const bench of only.length ? only : BENCHES) {
  console.log(`\n=== bench ${bench} ===`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(__dirname, `${bench}.js`)], {
    stdio: 'inherit',
    timeout: 30 * 60_000,
  });
  const s = Math.round((Date.now() - started) / 1000);
  if (r.status !== 0) {
    failed.push(bench);
    console.error(`=== ${bench} failed (${r.status ?? r.signal}) after ${s} s ===`);
  } else {
    console.log(`=== ${bench} done in ${s} s ===`);
  }
}
if (failed.length) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
