import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';

import { startApp, waitForOutput, type RunningProcess } from '../../test/support/processes';
import { http, until } from '../../test/support/stack';

const PLUGIN = join(__dirname, 'protein-composition.js');

describe('the example plugin, loaded through OPENAD_ASYNC_PLUGINS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openad-plugin-'));
  const env = {
    OPENAD_ASYNC_QUEUE_PREFIX: `x${randomBytes(4).toString('hex')}`,
    OPENAD_ASYNC_RESULT_DIR: dir,
    OPENAD_ASYNC_PLUGINS: PLUGIN,
    PORT: '0',
  };
  const running: RunningProcess[] = [];
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the api and a worker load it, then it is listed and answers requests beside the built-ins', async () => {
    const api = startApp('api', env);
    const worker = startApp('worker', env);
    running.push(api, worker);
    const port = (await waitForOutput(api, /"message":"api listening","port":(\d+)/))[1];
    await waitForOutput(worker, /worker started/);
    const url = `http://127.0.0.1:${port}`;

    const defs = (await http(`${url}/service`)).body as Array<{
      service_name: string;
      parameters: object;
    }>;
    const names = defs.map((d) => d.service_name);
    expect(names).toEqual(
      expect.arrayContaining(['get protein composition', 'get molecule rdkit']),
    );

    const res = await http(`${url}/service`, {
      body: {
        service_type: 'get_protein_property',
        service_name: 'get protein composition',
        parameters: {
          property_type: ['most_common_residue', 'hydrophobic_fraction'],
          subjects: ['GGGA', 'MKX'],
          digits: '2',
        },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { subject: 'GGGA', property: 'most_common_residue', result: 'G' },
      {
        subject: 'MKX',
        property: 'most_common_residue',
        result: null,
        error: 'invalid amino acid "X"',
      },
      { subject: 'GGGA', property: 'hydrophobic_fraction', result: 0.25 },
      {
        subject: 'MKX',
        property: 'hydrophobic_fraction',
        result: null,
        error: 'invalid amino acid "X"',
      },
    ]);

    const bad = await http(`${url}/service`, {
      body: {
        service_type: 'get_protein_property',
        service_name: 'get protein composition',
        parameters: { property_type: ['composition'], subjects: ['GG'], digits: 99 },
        async: true,
      },
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('"digits"');

    const stats = await until(
      () =>
        http(`${url}/async/stats`).then(
          (r) => r.body as { property_service: { models: { models: object } } },
        ),
      (s) => 'example-protein-composition' in s.property_service.models.models,
      10000,
    );
    expect(stats.property_service.models.models).toHaveProperty('example-protein-composition');
  }, 40000);

  it.each(['api', 'worker'] as const)(
    'when the %s is given a plugin that fails to import, then it stops naming the plugin',
    async (app) => {
      const broken = join(dir, 'broken-plugin.js');
      writeFileSync(broken, "throw new Error('plugin exploded');\n");
      const p = startApp(app, { ...env, OPENAD_ASYNC_PLUGINS: broken });
      running.push(p);
      const code = await p.exited;
      expect(code).not.toBe(0);
      expect(p.output()).toContain('broken-plugin.js');
      expect(p.output()).toContain('plugin exploded');
    },
  );
});
