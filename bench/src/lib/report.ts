/** Writes a bench's results: bench/results/<name>.json (machine-readable) and <name>.md. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import * as prettier from 'prettier';

import { RESULTS_DIR, type MachineInfo } from './env';

export interface BenchReport {
  bench: string;
  machine: MachineInfo;
  /** Load averages seen before each measured part, with whether it was quiet. */
  loads: { part: string; loadAvg: number[]; waitedMs: number; quiet: boolean }[];
  settings: Record<string, unknown>;
  results: Record<string, unknown>;
  durationS: number;
}

/** Writes both files; the JSON is formatted as `prettier --check .` (npm run lint) expects. */
export async function writeReport(report: BenchReport, markdown: string[]): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = path.join(RESULTS_DIR, `${report.bench}.json`);
  const options = (await prettier.resolveConfig(json)) ?? {};
  writeFileSync(
    json,
    await prettier.format(JSON.stringify(report, replacer), { ...options, filepath: json }),
  );
  const m = report.machine;
  const header = [
    `## ${report.bench}`,
    '',
    `${m.date} · ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM · Node ${m.node}, Redis ${m.redis}, ` +
      `BullMQ ${m.bullmq}, ioredis ${m.ioredis}, Express ${m.express}, RDKit.js ${m.rdkit} · commit ${m.commit}`,
    '',
    `Load average (1/5/15 min) at start: ${m.loadAvgAtStart.join(' / ')}; per part: ` +
      report.loads
        .map((l) => `${l.part} ${l.loadAvg[0]}${l.quiet ? '' : ' (not quiet)'}`)
        .join(', '),
    '',
    `Took ${Math.round(report.durationS)} s.`,
    '',
  ];
  const md = [...header, ...markdown, ''].join('\n');
  writeFileSync(path.join(RESULTS_DIR, `${report.bench}.md`), md);
  console.log(`\n${md}\nwrote ${path.relative(process.cwd(), json)}`);
}

/** Typed arrays become plain arrays; NaN becomes null. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Float64Array) return Array.from(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/** A markdown table from rows of cells. */
export function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}
