/** Checks each rendered kustomization under infra/ against the apps. */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { Config } from '@openad-async/config';

import {
  checkEnv,
  checkLifecycle,
  checkProbe,
  checkRoleConfig,
  checkSameBackends,
  checkStopGrace,
  checkWorkerMemory,
  resolveCommand,
  type Problems,
  type RepoInfo,
  type Role,
} from './app-rules';
import type { ImageDefaults } from './dockerfile-checks';
import { findKustomizations, parseDocs, render, type Renderer } from './kustomize';
import { arr, dig, isObj, kubeBytes, num, objs, rel, str, type Obj } from './util';

export const QUEUE_DEPTH_METRIC = 'openad_async_queue_depth';
const LIFECYCLE_FILE = 'infra/s3-lifecycle.json';

const nameOf = (o: Obj) => str(dig(o, 'metadata', 'name')) ?? '';
const podLabels = (o: Obj): Obj => {
  const l = dig(o, 'spec', 'template', 'metadata', 'labels');
  return isObj(l) ? l : {};
};
const selects = (selector: unknown, labels: Obj) =>
  isObj(selector) &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels[k] === v);

interface Workload {
  deployment: Obj;
  container: Obj;
  role: Role;
  config: Config;
}

/** Example Secrets/ConfigMaps (`*.example.yaml`) stand in for objects kept out of git. */
function readExamples(infra: string): Obj[] {
  const out: Obj[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (/\.example\.ya?ml$/.test(e.name)) out.push(...parseDocs(fs.readFileSync(f, 'utf8')));
    }
  };
  if (fs.existsSync(infra)) walk(infra);
  return out;
}

export function checkKubernetes(
  p: Problems,
  root: string,
  repo: RepoInfo,
  image: ImageDefaults,
  lifecycleText: string | undefined,
  renderer: Renderer,
): void {
  const infra = path.join(root, 'infra');
  const dirs = findKustomizations(infra);
  if (dirs.length === 0) p.add('infra', 'no kustomization');
  const examples = readExamples(infra);
  for (const dir of dirs) {
    const where = rel(root, dir);
    let objects: Obj[];
    try {
      objects = render(dir, renderer, infra);
    } catch (err) {
      p.add(where, (err as Error).message);
      continue;
    }
    checkRendering(p, where, objects, examples, repo, image, lifecycleText);
  }
}

function checkRendering(
  p: Problems,
  where: string,
  objects: Obj[],
  examples: Obj[],
  repo: RepoInfo,
  image: ImageDefaults,
  lifecycleText: string | undefined,
): void {
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const lookup = (kind: string, name: string): Obj | undefined =>
    objects.find((o) => o.kind === kind && nameOf(o) === name) ??
    examples.find((o) => o.kind === kind && nameOf(o) === name);

  const workloads: Workload[] = [];
  for (const d of ofKind('Deployment')) {
    for (const c of objs(dig(d, 'spec', 'template', 'spec', 'containers'))) {
      const w = `${where}: Deployment/${nameOf(d)} container ${str(c.name) ?? '?'}`;
      const command = arr(c.command).map((x) => str(x) ?? '');
      const args = arr(c.args).map((x) => str(x) ?? '');
      const argv =
        command.length > 0 ? [...command, ...args] : args.length > 0 ? args : (image.cmd ?? []);
      const role = resolveCommand(p, w, repo, argv, image.workdir);
      const env = resolveEnv(p, w, nameOf(d), c, lookup);
      // The image's ENV lines are there too, under what the manifest sets.
      const config = checkEnv(p, w, { ...image.env, ...env });
      if (!role || !config) continue;
      checkRoleConfig(p, w, role, config);
      checkContainer(p, w, role, config, d, c);
      workloads.push({ deployment: d, container: c, role, config });
    }
  }

  const api = workloads.find((x) => x.role === 'api');
  const worker = workloads.find((x) => x.role === 'worker');
  if (!api) p.add(where, 'no Deployment runs the API');
  if (!worker) p.add(where, 'no Deployment runs the worker');
  if (api && worker) {
    checkSameBackends(
      p,
      where,
      { name: `Deployment/${nameOf(api.deployment)}`, config: api.config },
      { name: `Deployment/${nameOf(worker.deployment)}`, config: worker.config },
    );
  }
  for (const x of workloads) {
    checkLifecycle(
      p,
      `${where}: Deployment/${nameOf(x.deployment)}`,
      LIFECYCLE_FILE,
      lifecycleText,
      x.config,
    );
  }

  // Services must reach the API on its real port.
  for (const svc of ofKind('Service')) {
    for (const x of workloads.filter((w) =>
      selects(dig(svc, 'spec', 'selector'), podLabels(w.deployment)),
    )) {
      if (x.role !== 'api') continue;
      for (const port of objs(dig(svc, 'spec', 'ports'))) {
        const target = containerPort(x.container, port.targetPort ?? port.port);
        if (target !== x.config.api.port) {
          p.add(
            `${where}: Service/${nameOf(svc)}`,
            `targetPort ${String(port.targetPort ?? port.port)} is not the API's PORT ${x.config.api.port}`,
          );
        }
      }
    }
  }

  checkScaling(p, where, objects, workloads);
}

function resolveEnv(
  p: Problems,
  where: string,
  podName: string,
  c: Obj,
  lookup: (kind: string, name: string) => Obj | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  const source = (kind: 'ConfigMap' | 'Secret', name: string, optional: boolean) => {
    const o = lookup(kind, name);
    if (!o && !optional)
      p.add(where, `${kind} ${name} is neither rendered nor in an *.example.yaml`);
    const data: Record<string, string> = {};
    if (isObj(o?.data)) {
      for (const [k, v] of Object.entries(o.data)) {
        data[k] =
          kind === 'Secret' ? Buffer.from(str(v) ?? '', 'base64').toString('utf8') : (str(v) ?? '');
      }
    }
    if (isObj(o?.stringData))
      for (const [k, v] of Object.entries(o.stringData)) data[k] = str(v) ?? '';
    return data;
  };
  for (const ef of objs(c.envFrom)) {
    const prefix = str(ef.prefix) ?? '';
    const ref = isObj(ef.configMapRef)
      ? ef.configMapRef
      : isObj(ef.secretRef)
        ? ef.secretRef
        : undefined;
    if (!ref) continue;
    const kind = isObj(ef.configMapRef) ? 'ConfigMap' : 'Secret';
    for (const [k, v] of Object.entries(source(kind, str(ref.name) ?? '', ref.optional === true))) {
      env[prefix + k] = v;
    }
  }
  const seen = new Set<string>();
  for (const e of objs(c.env)) {
    const name = str(e.name) ?? '';
    if (seen.has(name)) p.add(where, `env ${name} is set twice`);
    seen.add(name);
    if (e.value !== undefined) {
      env[name] = str(e.value) ?? '';
      continue;
    }
    const from = isObj(e.valueFrom) ? e.valueFrom : {};
    const keyRef = isObj(from.configMapKeyRef)
      ? from.configMapKeyRef
      : isObj(from.secretKeyRef)
        ? from.secretKeyRef
        : undefined;
    if (keyRef) {
      const kind = isObj(from.configMapKeyRef) ? 'ConfigMap' : 'Secret';
      const optional = keyRef.optional === true;
      const value = source(kind, str(keyRef.name) ?? '', optional)[str(keyRef.key) ?? ''];
      if (value !== undefined) env[name] = value;
      else if (!optional)
        p.add(
          where,
          `env ${name}: ${kind} ${String(keyRef.name)} has no key ${String(keyRef.key)}`,
        );
    } else if (isObj(from.fieldRef)) {
      // Stand-ins with the shape the real values have.
      const field = str(from.fieldRef.fieldPath);
      env[name] =
        field === 'metadata.name'
          ? `${podName}-5d9c7b8f6c-x2x7q`
          : field === 'status.podIP'
            ? '10.0.0.7'
            : 'value';
    } else if (isObj(from.resourceFieldRef)) {
      env[name] = '1';
    }
  }
  return env;
}

function containerPort(c: Obj, port: unknown): number | undefined {
  if (typeof port === 'number') return port;
  const named = objs(c.ports).find((x) => x.name === port);
  return named ? num(named.containerPort) : num(port);
}

function checkContainer(
  p: Problems,
  where: string,
  role: Role,
  config: Config,
  d: Obj,
  c: Obj,
): void {
  const required: Record<string, string | undefined> =
    role === 'api'
      ? { readinessProbe: '/readyz', livenessProbe: '/healthz' }
      : { readinessProbe: undefined, livenessProbe: undefined };
  for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    const probe = c[kind];
    if (probe === undefined) {
      if (kind in required) p.add(where, `has no ${kind}`);
      continue;
    }
    const get = dig(probe, 'httpGet');
    if (!isObj(get)) {
      p.add(where, `${kind} is not an httpGet probe on a health route`);
      continue;
    }
    checkProbe(
      p,
      `${where} ${kind}`,
      role,
      config,
      { path: str(get.path) ?? '/', port: containerPort(c, get.port) },
      required[kind],
    );
  }

  const res = isObj(c.resources) ? c.resources : {};
  for (const [k, v] of [
    ['requests.cpu', dig(res, 'requests', 'cpu')],
    ['requests.memory', dig(res, 'requests', 'memory')],
    ['limits.memory', dig(res, 'limits', 'memory')],
  ] as const) {
    if (v === undefined) p.add(where, `has no resources.${k}`);
  }
  const request = kubeBytes(dig(res, 'requests', 'memory'));
  const limit = kubeBytes(dig(res, 'limits', 'memory'));
  if (request !== undefined && limit !== undefined && request > limit) {
    p.add(where, 'memory request is above its limit');
  }
  if (role === 'worker') {
    checkWorkerMemory(p, where, config, limit);
    const grace = dig(d, 'spec', 'template', 'spec', 'terminationGracePeriodSeconds');
    checkStopGrace(
      p,
      where,
      config,
      grace === undefined ? 30 : num(grace),
      'terminationGracePeriodSeconds',
    );
  }
}

function checkScaling(p: Problems, where: string, objects: Obj[], workloads: Workload[]): void {
  const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
  const scaled = objects.filter((o) => o.kind === 'ScaledObject');
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  const targets = (list: Obj[], d: Obj) =>
    list.filter((o) => {
      const ref = dig(o, 'spec', 'scaleTargetRef');
      return (
        (str(dig(ref, 'kind')) ?? 'Deployment') === 'Deployment' && dig(ref, 'name') === nameOf(d)
      );
    });

  const done = new Set<Obj>();
  for (const { deployment: d, role } of workloads) {
    if (done.has(d)) continue;
    done.add(d);
    const w = `${where}: Deployment/${nameOf(d)}`;
    const myHpas = targets(hpas, d);
    const mySo = targets(scaled, d);
    let minReplicas = num(dig(d, 'spec', 'replicas')) ?? 1;
    if (role === 'api') {
      if (myHpas.length !== 1)
        p.add(w, `needs exactly one HorizontalPodAutoscaler (has ${myHpas.length})`);
      if (mySo.length > 0) p.add(w, 'the API scales on CPU (HPA), not with a ScaledObject');
      minReplicas = num(dig(myHpas[0], 'spec', 'minReplicas')) ?? 1;
    } else {
      if (myHpas.length > 0)
        p.add(w, 'a HorizontalPodAutoscaler fights the KEDA ScaledObject over workers');
      if (mySo.length !== 1) p.add(w, `needs exactly one KEDA ScaledObject (has ${mySo.length})`);
      for (const so of mySo) checkScaledObject(p, `${where}: ScaledObject/${nameOf(so)}`, so);
      minReplicas = num(dig(mySo[0], 'spec', 'minReplicaCount')) ?? 0;
    }

    const myPdbs = pdbs.filter((b) =>
      selects(dig(b, 'spec', 'selector', 'matchLabels'), podLabels(d)),
    );
    if (myPdbs.length === 0) p.add(w, 'no PodDisruptionBudget selects its pods');
    for (const b of myPdbs) {
      const minAvailable = num(dig(b, 'spec', 'minAvailable'));
      const maxUnavailable = num(dig(b, 'spec', 'maxUnavailable'));
      if (minAvailable !== undefined && minAvailable >= minReplicas) {
        p.add(
          `${where}: PodDisruptionBudget/${nameOf(b)}`,
          `minAvailable ${minAvailable} >= the minimum of ${minReplicas} replica(s): node drains block`,
        );
      }
      if (maxUnavailable === 0)
        p.add(`${where}: PodDisruptionBudget/${nameOf(b)}`, 'maxUnavailable 0 blocks node drains');
    }
  }
}

/** Workers scale on pending jobs including prioritized ones: the API's queue-depth gauge. */
function checkScaledObject(p: Problems, where: string, so: Obj): void {
  const triggers = objs(dig(so, 'spec', 'triggers'));
  if (triggers.length === 0) p.add(where, 'has no triggers');
  for (const t of triggers) {
    const type = str(t.type) ?? '';
    if (type !== 'prometheus') {
      p.add(
        where,
        `trigger type ${type}: scale on ${QUEUE_DEPTH_METRIC} via prometheus` +
          (/redis/.test(type)
            ? ' (a Redis list trigger misses prioritized jobs, kept in a sorted set)'
            : ''),
      );
      continue;
    }
    const query = str(dig(t, 'metadata', 'query')) ?? '';
    if (!new RegExp(`\\b${QUEUE_DEPTH_METRIC}\\b`).test(query)) {
      p.add(where, `prometheus trigger query "${query}" is not on ${QUEUE_DEPTH_METRIC}`);
    }
    const threshold = num(dig(t, 'metadata', 'threshold'));
    if (threshold === undefined || threshold <= 0)
      p.add(where, 'prometheus trigger needs a threshold > 0');
    if (!str(dig(t, 'metadata', 'serverAddress')))
      p.add(where, 'prometheus trigger has no serverAddress');
  }
}
