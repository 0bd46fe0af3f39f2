import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { builtinModulePath } from '@openad-async/catalog';
import { OpenadClient } from '@openad-async/client';

import { ROOT } from '../support/processes';
import { http, PIPELINE_MODELS, TestStack, until } from '../support/stack';

const CLI = join(ROOT, 'packages', 'client', 'dist', 'cli', 'main.js');

interface Run {
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Starts the built CLI as a real process (`npx tsc -b` first: `npm test` builds). */
function spawnCli(args: string[], stdin = ''): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin?.end(stdin);
  const done = new Promise<Run>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code: code ?? signal ?? -1, stdout, stderr })),
  );
  return { child, done };
}

function cli(args: string[], o: { stdin?: string } = {}): Promise<Run> {
  return spawnCli(args, o.stdin).done;
}

/** Molecules with their average molecular weight (g/mol, from their formulas). */
const KNOWN: [string, number][] = [
  ['CCO', 46.069],
  ['c1ccccc1', 78.114],
  ['CC(=O)OC1=CC=CC=C1C(=O)O', 180.159],
  ['CN1C=NC2=C1C(=O)N(C(=O)N2C)C', 194.194],
  ['O', 18.015],
  ['CC(=O)O', 60.052],
  ['CC(C)Cc1ccc(cc1)C(C)C(=O)O', 206.285],
  ['CC(=O)Nc1ccc(O)cc1', 151.165],
  ['Oc1ccccc1', 94.113],
  ['NC(=O)N', 60.056],
  ['c1ccc2ccccc2c1', 128.174],
  // Linear alkanes CnH2n+2, n = 1…30.
  ...Array.from({ length: 30 }, (_, i): [string, number] => [
    'C'.repeat(i + 1),
    12.011 * (i + 1) + 1.008 * (2 * (i + 1) + 2),
  ]),
];

describe('the openad-async CLI against a real service', () => {
  const stack = new TestStack({ modules: [builtinModulePath(), PIPELINE_MODELS] });
  const dir = mkdtempSync(join(tmpdir(), 'openad-cli-'));
  let url: string;

  beforeAll(async () => {
    url = await stack.startApi();
    await stack.startWorker();
  });
  afterAll(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when 1,000 molecules go through predict, then each has one row, in input order, with the right values', async () => {
    const molecules = Array.from({ length: 1000 }, (_, i) => KNOWN[i % KNOWN.length]!);
    const input = join(dir, 'molecules.smi');
    writeFileSync(input, molecules.map(([smiles], i) => `${smiles} mol-${i + 1}\n`).join(''));
    const output = join(dir, 'out.csv');
    const run = await cli([
      'predict',
      '--url',
      url,
      '--service',
      'get molecule rdkit',
      '--property',
      'molecular_weight,qed',
      '--input',
      input,
      '--batch-size',
      '150',
      '--concurrency',
      '3',
      '-o',
      output,
    ]);
    expect(run.stderr).toContain('1000 rows written');
    expect(run.code).toBe(0);
    const lines = readFileSync(output, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('row,subject,name,molecular_weight,qed,error');
    expect(lines).toHaveLength(1001);
    for (const [i, line] of lines.slice(1).entries()) {
      const [row, subject, name, mw, qed, error] = line.split(',');
      const [smiles, weight] = molecules[i]!;
      expect({ row, subject, name, error }).toEqual({
        row: String(i + 1),
        subject: smiles,
        name: `mol-${i + 1}`,
        error: '',
      });
      expect(Number(mw)).toBeCloseTo(weight, 2);
      expect(Number(qed)).toBeGreaterThan(0);
      expect(Number(qed)).toBeLessThan(1);
    }
    // Not a terminal here: progress comes as plain lines, the last one complete.
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).toMatch(/progress: 7\/7 requests {2}1000\/1000 subjects/);
  });

  it('when one large batch runs, then its progress counts subjects up to the total, live and in the status', async () => {
    const client = new OpenadClient({ url });
    const subjects = Array.from({ length: 1500 }, (_, i) => KNOWN[i % KNOWN.length]![0]);
    const id = await client.submitProperty({
      service: 'get molecule rdkit',
      properties: ['qed'],
      subjects,
    });
    const progress: { done: number; total: number }[] = [];
    const seenInStatus: unknown[] = [];
    const record = await client.wait(id, {
      mode: 'sse',
      onUpdate: (e) => {
        if (e.type !== 'progress') return;
        progress.push(e.progress);
        // While processing, the status object carries the same progress.
        if (e.progress.done < e.progress.total) {
          void client.status(id).then((s) => seenInStatus.push(s));
        }
      },
    });
    expect(record.status).toBe('completed');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p) => p.total === 1500)).toBe(true);
    expect(progress.map((p) => p.done)).toEqual(
      [...progress.map((p) => p.done)].sort((x, y) => x - y),
    );
    expect(progress.at(-1)).toEqual({ done: 1500, total: 1500 });
    expect(seenInStatus).toContainEqual(
      expect.objectContaining({
        status: 'processing',
        progress: { done: expect.any(Number), total: 1500 },
      }),
    );
  });

  it('when stdin is CSV with a bad molecule, then its row reports the error and the exit code says partial', async () => {
    const run = await cli(
      [
        'predict',
        '--url',
        url,
        '-s',
        'get molecule rdkit',
        '-p',
        'molecular_weight',
        '-i',
        '-',
        '--input-format',
        'csv',
        '--format',
        'jsonl',
        '--quiet',
      ],
      { stdin: 'name,smiles\nethanol,CCO\nbroken,not_a_smiles\nwater,O\n' },
    );
    expect(run.code).toBe(7);
    const rows = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r.row, r.subject, r.name])).toEqual([
      [1, 'CCO', 'ethanol'],
      [2, 'not_a_smiles', 'broken'],
      [3, 'O', 'water'],
    ]);
    expect(rows[0]).toMatchObject({ molecular_weight: expect.closeTo(46.069, 2), error: null });
    expect(rows[1]).toMatchObject({ molecular_weight: null, error: expect.any(String) });
    expect(run.stderr).toContain('1 with an error');
  });

  it('when services and stats are asked for, then they are readable tables', async () => {
    const services = await cli(['services', '--url', url]);
    expect(services.code).toBe(0);
    expect(services.stdout).toMatch(/^SERVICE\s+TYPE\s+SUBJECT/);
    expect(services.stdout).toMatch(
      /get molecule rdkit\s+get_molecule_property\s+SMILES\s+molecular_weight,/,
    );
    const stats = await cli(['stats', '--url', url]);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toContain('Requests');
    expect(stats.stdout).toMatch(/^property\s+\d+\s+\d+\s+\d+/m);
    const json = await cli(['stats', '--url', url, '--json']);
    expect(JSON.parse(json.stdout)).toHaveProperty('property_service.queue');
  });

  it('when a request is generated, then its records are written', async () => {
    const run = await cli([
      'generate',
      '--url',
      url,
      '--service',
      'generate with TestGen',
      '--sample-size',
      '3',
      '--param',
      'start=10',
      '--format',
      'csv',
      '--priority',
      'critical',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('value\n10\n11\n12\n');
  });

  it('when status, wait and cancel are used by id, then their exit codes tell the outcome', async () => {
    const submitted = await http(`${url}/service`, {
      body: {
        service_type: 'get_molecule_property',
        service_name: 'test echo',
        parameters: { property_type: ['length'], subjects: ['CCO'], delay_ms: 300 },
        async: true,
        use_enhanced_async: true,
      },
    });
    const id = (submitted.body as { request_id: string }).request_id;
    const waited = await cli(['wait', id, '--url', url]);
    expect(waited.code).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ request_id: id, status: 'completed' });
    const status = await cli(['status', id, '--url', url]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'completed' });
    const cancel = await cli(['cancel', id, '--url', url]);
    expect(cancel.code).toBe(3);
    expect(cancel.stderr).toContain('already finished (completed)');
    const unknown = await cli(['status', '6f1c1d4e-0000-4000-8000-000000000000', '--url', url]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('NOT_FOUND');

    const failing = await http(`${url}/service`, {
      body: {
        service_type: 'get_molecule_property',
        service_name: 'test echo',
        parameters: { property_type: ['length'], subjects: ['CCO'], fail: true },
        async: true,
        use_enhanced_async: true,
      },
    });
    const failed = await cli([
      'wait',
      (failing.body as { request_id: string }).request_id,
      '--url',
      url,
      '-q',
    ]);
    expect(failed.code).toBe(6);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed' });
  });

  it('when arguments are wrong, the service refuses or is down, then the exit code says which', async () => {
    const usage = await cli([
      'predict',
      '--url',
      url,
      '--service',
      'get molecule rdkit',
      '-i',
      '-',
    ]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--property is required');
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['status', '--url', url])).code).toBe(2);

    const rejected = await cli(
      ['predict', '--url', url, '-s', 'get molecule rdkit', '-p', 'no_such', '-i', '-', '-q'],
      { stdin: 'CCO\n' },
    );
    expect(rejected.code).toBe(3);
    expect(rejected.stderr).toContain('VALIDATION_FAILED');

    const down = await cli(['stats', '--url', 'http://127.0.0.1:9']);
    expect(down.code).toBe(5);
    expect(down.stderr).toContain('Cannot reach');
  });

  it('when Ctrl-C comes during predict, then what it submitted is canceled and it exits 130', async () => {
    const b = await stack.backplane();
    const before = Number((await b.redis.hget(b.keys.statusCounts('property'), 'canceled')) ?? 0);
    const subjects = Array.from({ length: 40 }, (_, i) => `C${'C'.repeat(i)}`).join('\n');
    const { child, done } = spawnCli(
      [
        'predict',
        '--url',
        url,
        '-s',
        'test echo',
        '-p',
        'length',
        '-i',
        '-',
        '--batch-size',
        '10',
        '--concurrency',
        '2',
        '--param',
        'delay_ms=30000',
      ],
      subjects,
    );
    const processing = () =>
      http(`${url}/async/stats`).then(
        (r) =>
          (r.body as { property_service: { queue: { processing_count: number } } }).property_service
            .queue.processing_count,
      );
    await until(processing, (n) => n === 2);
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/canceled 2 unfinished request/);
    await until(processing, (n) => n === 0);
    const after = Number((await b.redis.hget(b.keys.statusCounts('property'), 'canceled')) ?? 0);
    expect(after - before).toBe(2);
  });
});
