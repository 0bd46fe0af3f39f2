import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  echoRequest,
  generateRequest,
  keysUnder,
  pool,
  statusOf,
  submit,
  type ApiProcess,
} from '../support/cluster';
import { FaultRig } from '../support/fault-rig';
import { http, until } from '../support/stack';

const TOTAL = 10_000;
const PRIORITIES = ['low', 'normal', 'high', 'critical'] as const;
const SERVICES = { property: 'property_service', generation: 'generation_service' } as const;
type Kind = keyof typeof SERVICES;

interface Planned {
  /** What this request is meant to do, for checking that it did. */
  category: string;
  kind: Kind;
  priority: (typeof PRIORITIES)[number];
  body: Record<string, unknown>;
  /** Cancel it through the other api: at once (pending), or once it runs (processing). */
  cancel: false | 'pending' | 'processing';
}

/**
 * The mix, deterministic: both services, every priority, and per hundred: 5 that fail, 5 that
 * time out waiting, 1 that times out running, 3 canceled while pending, 2 while processing.
 */
function plan(i: number): Planned {
  const priority = PRIORITIES[i % 4]!;
  const slot = i % 100;
  const echo = (
    category: string,
    parameters: Record<string, unknown>,
    extra: Record<string, unknown> = {},
    cancel: Planned['cancel'] = false,
  ): Planned => ({
    category,
    kind: 'property',
    priority,
    body: echoRequest(parameters, { priority, ...extra }),
    cancel,
  });
  if (slot < 20)
    return {
      category: 'generate',
      kind: 'generation',
      priority,
      body: generateRequest({ priority }),
      cancel: false,
    };
  if (slot < 25) return echo('fail', { fail: true });
  if (slot < 30) return echo('time out waiting', {}, { timeout_seconds: 0.001 });
  if (slot < 31) return echo('time out running', { delay_ms: 5000 }, { timeout_seconds: 0.3 });
  if (slot < 34) return echo('cancel at once', { delay_ms: 200 }, {}, 'pending');
  if (slot < 36) return echo('cancel running', { delay_ms: 3000 }, {}, 'processing');
  return echo('complete', { delay_ms: slot % 3 === 0 ? 20 : 0 });
}

type Stats = Record<
  string,
  {
    queue: {
      total_requests: number;
      status_counts: Record<string, number>;
      priority_counts: Record<string, number>;
    };
  }
>;

describe('soak: 10,000 mixed requests through 2 api and 2 worker processes', () => {
  let rig: FaultRig;
  let apis: ApiProcess[];

  beforeAll(async () => {
    rig = await FaultRig.start({
      aof: false,
      env: {
        LOG_LEVEL: 'warn',
        OPENAD_ASYNC_MAX_WORKERS: '8',
        OPENAD_ASYNC_MAX_QUEUE_SIZE: String(TOTAL * 2),
      },
    });
    apis = await Promise.all([rig.cluster.startApi(), rig.cluster.startApi()]);
    await Promise.all([rig.cluster.startWorker(rig.redis), rig.cluster.startWorker(rig.redis)]);
  }, 60000);

  afterAll(async () => {
    await rig?.close();
  }, 30000);

  it('when 10,000 mixed requests run, then every one ends terminal, the stats equal the truth, Redis keeps no per-request keys but the expiring claims, and there is a record for each', async () => {
    const baseline = await keysUnder(rig.redis, rig.cluster.prefix);
    const started = Date.now();
    const planned = Array.from({ length: TOTAL }, (_, i) => plan(i));
    const cancels = { ok: 0, stopping: 0, finished: 0 };
    const ids = await pool(planned, 32, async (p, i) => {
      const id = await submit(apis[i % 2]!.url, p.body);
      if (p.cancel === 'processing') {
        await until(
          () => statusOf(apis[i % 2]!.url, id),
          (st) => st.body.status === 'processing',
          30000,
        );
      }
      if (p.cancel) {
        const res = await http(`${apis[(i + 1) % 2]!.url}/async/status/${id}`, {
          method: 'DELETE',
        });
        if (res.status === 200) cancels.ok += 1;
        else if (res.status === 202) cancels.stopping += 1;
        else if (res.status === 409) cancels.finished += 1;
        else throw new Error(`cancel answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
      return id;
    });
    const submittedMs = Date.now() - started;

    // Done when nothing is pending or running and every request is counted terminal.
    const stats = await until(
      () => http(`${apis[0]!.url}/async/stats`).then((r) => r.body as Stats),
      (s) =>
        (Object.keys(SERVICES) as Kind[]).every((k) => {
          const q = s[SERVICES[k]]!.queue;
          const ended = ['completed', 'failed', 'timeout', 'canceled'].reduce(
            (n, t) => n + (q.status_counts[t] ?? 0),
            0,
          );
          return (
            q.status_counts.pending === 0 &&
            q.status_counts.processing === 0 &&
            ended === q.total_requests
          );
        }),
      180000,
    );
    const doneMs = Date.now() - started;

    // The truth: every request's own status, read through both apis.
    const truth: Record<Kind, Record<string, number>> = { property: {}, generation: {} };
    const statuses = await pool(ids, 32, (id, i) => statusOf(apis[i % 2]!.url, id));
    statuses.forEach((s, i) => {
      expect(s.code).toBe(200);
      const t = truth[planned[i]!.kind];
      t[s.body.status] = (t[s.body.status] ?? 0) + 1;
    });
    for (const kind of Object.keys(SERVICES) as Kind[]) {
      const q = stats[SERVICES[kind]]!.queue;
      const mine = planned.filter((p) => p.kind === kind);
      expect(q.total_requests).toBe(mine.length);
      expect(q.status_counts).toEqual({
        pending: 0,
        processing: 0,
        completed: truth[kind].completed ?? 0,
        failed: truth[kind].failed ?? 0,
        timeout: truth[kind].timeout ?? 0,
        canceled: truth[kind].canceled ?? 0,
      });
      for (const p of PRIORITIES) {
        expect(q.priority_counts[p.toUpperCase()]).toBe(
          mine.filter((m) => m.priority === p).length,
        );
      }
    }
    // The mix did what it was built for. A cancel sent at once may lose the race to a worker
    // that finished the request first (409): that one completed.
    const byCategory: Record<string, Record<string, number>> = {};
    statuses.forEach((st, i) => {
      const c = (byCategory[planned[i]!.category] ??= {});
      c[st.body.status] = (c[st.body.status] ?? 0) + 1;
    });
    const per100 = TOTAL / 100;
    expect(byCategory).toEqual({
      generate: { completed: 20 * per100 },
      fail: { failed: 5 * per100 },
      'time out waiting': { timeout: 5 * per100 },
      'time out running': { timeout: 1 * per100 },
      'cancel at once': {
        canceled: 3 * per100 - cancels.finished,
        ...(cancels.finished ? { completed: cancels.finished } : {}),
      },
      'cancel running': { canceled: 2 * per100 },
      complete: { completed: 64 * per100 },
    });
    expect(cancels.finished).toBeLessThan(per100 * 3);

    // One record per request, and as many completed records as the stats count.
    const records = rig.cluster.recordIds();
    expect(records.length).toBe(TOTAL);
    const completedRecords = records.filter(
      (id) =>
        (
          JSON.parse(readFileSync(join(rig.cluster.dir, 'results', `${id}.json`), 'utf8')) as {
            status: string;
          }
        ).status === 'completed',
    ).length;
    expect(completedRecords).toBe(
      (truth.property.completed ?? 0) + (truth.generation.completed ?? 0),
    );

    // Redis: no job, lock or other per-request key is left, except the terminal claims, which
    // expire on their own (they guard a stalled re-run for an hour).
    const after = await keysUnder(rig.redis, rig.cluster.prefix);
    const claims = after.filter((k) => k.includes(':oa:terminal:'));
    expect(claims).toHaveLength(TOTAL);
    const ttls = await Promise.all(claims.slice(0, 200).map((k) => rig.redis.ttl(k)));
    expect(ttls.every((t) => t > 0 && t <= 3600)).toBe(true);
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
    const rest = after.filter((k) => !k.includes(':oa:terminal:'));
    expect(rest.filter((k) => uuid.test(k))).toEqual([]);
    for (const kind of Object.keys(SERVICES)) {
      for (const set of [
        'wait',
        'active',
        'prioritized',
        'delayed',
        'paused',
        'stalled',
        'completed',
        'failed',
      ]) {
        const key = `${rig.cluster.prefix}:${kind}:${set}`;
        const type = await rig.redis.type(key);
        const size =
          type === 'list'
            ? await rig.redis.llen(key)
            : type === 'zset'
              ? await rig.redis.zcard(key)
              : type === 'set'
                ? await rig.redis.scard(key)
                : 0;
        expect({ key, size }).toEqual({ key, size: 0 });
      }
      expect(await rig.redis.zcard(`${rig.cluster.prefix}:${kind}:oa:deadlines`)).toBe(0);
    }
    console.log(
      `soak: ${TOTAL} requests submitted in ${submittedMs} ms, all terminal after ${doneMs} ms ` +
        `(${Math.round((TOTAL / doneMs) * 1000)} requests/s end to end); truth ${JSON.stringify(truth)}; ` +
        `cancels ${JSON.stringify(cancels)}; keys before ${baseline.length} [${baseline.map((k) => k.slice(rig.cluster.prefix.length + 1)).join(', ')}], ` +
        `after ${after.length} = ${claims.length} expiring claims + ${rest.length} [${rest.map((k) => k.slice(rig.cluster.prefix.length + 1)).join(', ')}]`,
    );
  }, 270000);
});
