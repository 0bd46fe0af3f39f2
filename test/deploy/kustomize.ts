/**
 * Renders a kustomization: with `kubectl kustomize` when kubectl is on PATH, else with a small
 * built-in renderer covering what infra/ uses (resources, namespace, images, strategic-merge
 * patches). The suite checks that both give the same objects.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import YAML from 'yaml';

import { arr, dig, isObj, objs, str, type Obj } from './util';

export type Renderer = 'kubectl' | 'builtin';

export function kubectlOnPath(): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && fs.existsSync(path.join(dir, 'kubectl')));
}

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function kustomizationFile(dir: string): string | undefined {
  return KUSTOMIZATION_NAMES.map((n) => path.join(dir, n)).find((f) => fs.existsSync(f));
}

/** Every directory under `dir` holding a kustomization, sorted. */
export function findKustomizations(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    if (kustomizationFile(d)) out.push(d);
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

function treeHash(dir: string): string {
  const h = createHash('sha1');
  const walk = (d: string) => {
    for (const e of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else h.update(path.relative(dir, f)).update('\0').update(fs.readFileSync(f)).update('\0');
    }
  };
  walk(dir);
  return h.digest('hex');
}

const cache = new Map<string, Obj[]>();
const cacheKey = (dir: string, renderer: Renderer, scope: string) =>
  `${renderer}\0${path.relative(scope, dir)}\0${treeHash(scope)}`;

function kubectlError(err: unknown): Error {
  const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
  return new Error(`kubectl kustomize failed: ${stderr || (err as Error).message}`);
}

/**
 * The objects a kustomization renders to. `scope` is the tree it may read (infra/): renders
 * are cached on its content (not its location), so copies in tests do not run kubectl again.
 */
export function render(dir: string, renderer: Renderer, scope: string): Obj[] {
  const key = cacheKey(dir, renderer, scope);
  const hit = cache.get(key);
  if (hit) return structuredClone(hit);
  let out: Obj[];
  if (renderer === 'kubectl') {
    let text: string;
    try {
      text = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      throw kubectlError(err);
    }
    out = parseDocs(text);
  } else {
    out = build(dir);
  }
  cache.set(key, out);
  return structuredClone(out);
}

/**
 * Runs `kubectl kustomize` for every kustomization under each scope, a few at a time, and
 * caches the results for `render`: for suites that check many copies. Failures are left for
 * `render` to report.
 */
export async function prerenderWithKubectl(scopes: string[], concurrency = 3): Promise<void> {
  const jobs = scopes.flatMap((scope) => findKustomizations(scope).map((dir) => ({ dir, scope })));
  const run = async (): Promise<void> => {
    for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) {
      const { dir, scope } = job;
      const key = cacheKey(dir, 'kubectl', scope);
      if (cache.has(key)) continue;
      const text = await new Promise<string | undefined>((resolve) => {
        execFile('kubectl', ['kustomize', dir], { encoding: 'utf8' }, (err, stdout) =>
          resolve(err ? undefined : stdout),
        );
      });
      if (text !== undefined) cache.set(key, parseDocs(text));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, run));
}

export function parseDocs(text: string): Obj[] {
  return YAML.parseAllDocuments(text).flatMap((d) => {
    if (d.errors.length > 0) throw new Error(d.errors.map((e) => e.message).join('; '));
    const v: unknown = d.toJS();
    return isObj(v) ? [v] : [];
  });
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'APIService',
]);

function build(dir: string): Obj[] {
  const file = kustomizationFile(dir);
  if (!file) throw new Error(`no kustomization in ${dir}`);
  const k: unknown = YAML.parse(fs.readFileSync(file, 'utf8'));
  let res: Obj[] = [];
  for (const r of arr(dig(k, 'resources'))) {
    const target = path.resolve(dir, str(r) ?? '');
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) res.push(...build(target));
    else res.push(...parseDocs(fs.readFileSync(target, 'utf8')));
  }

  const patches: Obj[] = [
    ...objs(dig(k, 'patches')),
    ...arr(dig(k, 'patchesStrategicMerge')).map((x) =>
      typeof x === 'string' ? { path: x } : { patch: x },
    ),
  ];
  for (const patch of patches) {
    const docs =
      typeof patch.path === 'string'
        ? parseDocs(fs.readFileSync(path.resolve(dir, patch.path), 'utf8'))
        : parseDocs(str(patch.patch) ?? '');
    for (const doc of docs) {
      const t = isObj(patch.target)
        ? patch.target
        : { kind: doc.kind, name: dig(doc, 'metadata', 'name') };
      let hits = 0;
      res = res.map((o) => {
        if ((t.kind && o.kind !== t.kind) || (t.name && dig(o, 'metadata', 'name') !== t.name))
          return o;
        hits++;
        return merge(o, doc) as Obj;
      });
      if (hits === 0)
        throw new Error(`patch for ${String(t.kind)}/${String(t.name)} matches nothing`);
    }
  }

  for (const img of objs(dig(k, 'images'))) {
    for (const o of res) {
      for (const c of podContainers(o)) {
        const image = str(c.image) ?? '';
        const m = /^(.*?)(?::([^:/@]+))?(@.+)?$/.exec(image);
        if (!m || m[1] !== img.name) continue;
        const name = str(img.newName) ?? m[1];
        const tag = str(img.newTag) ?? m[2];
        c.image = img.digest ? `${name}@${String(img.digest)}` : tag ? `${name}:${tag}` : name;
      }
    }
  }

  const ns = str(dig(k, 'namespace'));
  if (ns !== undefined) {
    for (const o of res) {
      if (CLUSTER_SCOPED.has(str(o.kind) ?? '')) continue;
      o.metadata = { ...(isObj(o.metadata) ? o.metadata : {}), namespace: ns };
    }
  }
  return res;
}

/** Strategic merge, as far as infra/ needs it: maps deep-merge, lists of named items merge by name. */
function merge(base: unknown, patch: unknown): unknown {
  if (isObj(base) && isObj(patch)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = merge(base[k], v);
    }
    return out;
  }
  const named = (xs: unknown[]) => xs.every((x) => isObj(x) && typeof x.name === 'string');
  if (Array.isArray(base) && Array.isArray(patch) && named(base) && named(patch)) {
    const byName = (xs: unknown[], n: unknown) => xs.find((x) => isObj(x) && x.name === n);
    const merged = base.map((b) => {
      const m = byName(patch, (b as Obj).name);
      return m === undefined ? b : merge(b, m);
    });
    return [...merged, ...patch.filter((x) => byName(base, (x as Obj).name) === undefined)];
  }
  return patch;
}

/** The containers of a workload's pod template (Deployment, StatefulSet, DaemonSet, Job). */
export function podContainers(o: Obj): Obj[] {
  const spec =
    dig(o, 'spec', 'template', 'spec') ?? dig(o, 'spec', 'jobTemplate', 'spec', 'template', 'spec');
  return [...objs(dig(spec, 'containers')), ...objs(dig(spec, 'initContainers'))];
}

/** Objects in a stable form for comparing renderers: sorted, named lists sorted by name. */
export function canonical(list: Obj[]): unknown {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      const items = v.map(norm);
      return items.every((x) => isObj(x) && typeof x.name === 'string')
        ? [...items].sort((a, b) =>
            ((a as Obj).name as string).localeCompare((b as Obj).name as string),
          )
        : items;
    }
    if (isObj(v))
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, norm(v[k])]),
      );
    return v;
  };
  return list
    .map((o) => norm(o) as Obj)
    .sort((a, b) =>
      `${String(a.kind)}/${String(dig(a, 'metadata', 'name'))}`.localeCompare(
        `${String(b.kind)}/${String(dig(b, 'metadata', 'name'))}`,
      ),
    );
}
