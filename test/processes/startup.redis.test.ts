import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

import { startApp, waitForOutput } from '../support/processes';
import { http, until } from '../support/stack';

describe('the api and worker as real processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openad-proc-'));
  const prefix = `p${randomBytes(4).toString('hex')}`;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['api', 'OPENAD_ASYNC_MAX_WORKERS', 'abc', 'must be a whole number'],
    ['worker', 'OPENAD_ASYNC_MAX_WORKERS', '0', 'must be a whole number from 1'],
    ['api', 'OPENAD_ASYNC_EVICTION_STRATEGY', 'random', 'must be one of'],
    ['worker', 'OPENAD_ASYNC_RESULT_STORE', 's3', 'OPENAD_ASYNC_S3_BUCKET'],
  ] as const)(
    'when %s starts with %s=%s, then it exits 2 with one line naming it',
    async (app, name, value, rule) => {
      const p = startApp(app, { [name]: value });
      expect(await p.exited).toBe(2);
      const out = p.output().trim();
      expect(out.split('\n')).toHaveLength(1);
      expect(out).toContain(name);
      expect(out).toContain(rule);
    },
  );

  it('when both run and the worker gets SIGTERM mid-job, then the job finishes, the worker exits 0, and the api answers', async () => {
    const env = {
      OPENAD_ASYNC_QUEUE_PREFIX: prefix,
      OPENAD_ASYNC_RESULT_DIR: dir,
      PORT: '0',
    };
    const api = startApp('api', env);
    const worker = startApp('worker', { ...env, OPENAD_ASYNC_SHUTDOWN_GRACE_SECONDS: '20' });
    try {
      const port = (await waitForOutput(api, /"message":"api listening","port":(\d+)/))[1];
      await waitForOutput(worker, /worker started/);
      const url = `http://127.0.0.1:${port}`;
      const subjects = Array.from({ length: 300 }, (_, i) => 'C'.repeat((i % 20) + 1));
      const res = await http(`${url}/service`, {
        body: {
          service_type: 'get_molecule_property',
          service_name: 'get molecule rdkit',
          parameters: { property_type: ['molecular_weight', 'qed', 'inchikey'], subjects },
          async: true,
          use_enhanced_async: true,
        },
      });
      const id = (res.body as { request_id: string }).request_id;
      await until(
        () => http(`${url}/async/status/${id}`),
        (r) => (r.body as { status: string }).status === 'processing',
        15000,
      );
      expect(await worker.stop('SIGTERM')).toBe(0);
      const done = await http(`${url}/async/status/${id}`);
      expect(done.body).toMatchObject({ status: 'completed' });
      const rows = (done.body as { result: Array<{ property: string; result: unknown }> }).result;
      expect(rows).toHaveLength(900);
      expect(rows[0]).toMatchObject({
        property: 'molecular_weight',
        result: expect.closeTo(16.043, 2),
      });
      expect(worker.output()).toContain('"message":"worker stopped"');
    } finally {
      await worker.stop();
      expect(await api.stop()).toBe(0);
    }
  }, 40000);
});
