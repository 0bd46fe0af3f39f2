/** Checks docker-compose.yml: the app services against the apps, and Redis, MinIO and nginx. */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { Config } from '@openad-async/config';
import YAML from 'yaml';

import {
  checkEnv,
  checkLifecycle,
  checkProbe,
  checkRoleConfig,
  checkSameBackends,
  checkStopGrace,
  checkWorkerMemory,
  probeFromCommand,
  resolveCommand,
  type Problems,
  type RepoInfo,
  type Role,
} from './app-rules';
import type { ImageDefaults } from './dockerfile-checks';
import {
  arr,
  dig,
  dockerBytes,
  durationSeconds,
  hostOf,
  isObj,
  num,
  readIfExists,
  shellSplit,
  str,
  type Obj,
} from './util';

export const COMPOSE_FILE = 'docker-compose.yml';
export const LIFECYCLE_FILE = 'infra/s3-lifecycle.json';

/** `${VAR:-default}` and friends, resolved from defaults only so the check does not depend on the shell. */
function interpolate(v: unknown, p: Problems): unknown {
  if (typeof v === 'string') {
    // `$$` is a literal `$`: interpolate the pieces between them.
    return v
      .split('$$')
      .map((piece) =>
        piece.replace(/\$\{(\w+)(?::?([-?])([^}]*))?\}|\$(\w+)/g, (_m, name, op, arg) => {
          if (op === '-') return String(arg);
          if (op === '?') {
            p.add(COMPOSE_FILE, `needs \${${String(name)}} set (${String(arg) || 'required'})`);
          }
          return '';
        }),
      )
      .join('$');
  }
  if (Array.isArray(v)) return v.map((x) => interpolate(x, p));
  if (isObj(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x, p)]));
  return v;
}

function envOf(svc: Obj, root: string, p: Problems, where: string): Record<string, string> {
  const env: Record<string, string> = {};
  const files = typeof svc.env_file === 'string' ? [svc.env_file] : arr(svc.env_file);
  for (const f of files) {
    const file = typeof f === 'string' ? f : str(dig(f, 'path'));
    if (file === undefined) continue;
    const text = readIfExists(path.resolve(root, file));
    if (text === undefined) {
      p.add(where, `env_file ${file} does not exist`);
      continue;
    }
    for (const line of text.split('\n')) {
      const m = /^\s*(?:export\s+)?([\w.]+)\s*=\s*(.*)$/.exec(line);
      if (m?.[1] !== undefined) env[m[1]] = (m[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  const e = svc.environment;
  if (isObj(e)) {
    for (const [k, v] of Object.entries(e)) {
      const s = str(v);
      if (s !== undefined) env[k] = s;
    }
  } else {
    for (const item of arr(e)) {
      const s = str(item) ?? '';
      const i = s.indexOf('=');
      if (i > 0) env[s.slice(0, i)] = s.slice(i + 1);
    }
  }
  return env;
}

function argvOf(v: unknown): string[] | undefined {
  if (typeof v === 'string') return shellSplit(v);
  if (Array.isArray(v)) return v.map((x) => str(x) ?? '');
  return undefined;
}

/** A compose healthcheck (or the image's) as one command line; undefined when disabled/absent. */
function healthcheckText(svc: Obj, image: ImageDefaults | undefined): string | undefined {
  const hc = svc.healthcheck;
  if (isObj(hc)) {
    if (hc.disable === true) return undefined;
    const test = hc.test;
    if (typeof test === 'string') return test;
    const parts = arr(test).map((x) => str(x) ?? '');
    if (parts[0] === 'NONE') return undefined;
    if (parts[0] === 'CMD' || parts[0] === 'CMD-SHELL') return parts.slice(1).join(' ');
    if (parts.length > 0) return parts.join(' ');
  }
  return image?.healthcheck;
}

interface Mount {
  source: string;
  target: string;
  bind: boolean;
}

function mountsOf(svc: Obj): Mount[] {
  return arr(svc.volumes).flatMap((v): Mount[] => {
    if (typeof v === 'string') {
      const [source = '', target = ''] = v.split(':');
      return [{ source, target, bind: /^[./~]/.test(source) }];
    }
    if (isObj(v)) {
      const source = str(v.source) ?? '';
      return [
        { source, target: str(v.target) ?? '', bind: v.type === 'bind' || /^[./]/.test(source) },
      ];
    }
    return [];
  });
}

/** Host ports a service publishes (a fixed host port collides as soon as there are 2 replicas). */
function publishedPorts(svc: Obj): string[] {
  return arr(svc.ports).flatMap((port): string[] => {
    if (isObj(port)) return port.published === undefined ? [] : [String(port.published)];
    const parts = (str(port) ?? '').split(':');
    return parts.length >= 2 ? [parts[parts.length - 2] ?? ''] : [];
  });
}

function dependsOn(svc: Obj): Map<string, string> {
  const out = new Map<string, string>();
  const d = svc.depends_on;
  if (Array.isArray(d)) for (const n of d) out.set(str(n) ?? '', 'service_started');
  else if (isObj(d)) {
    for (const [n, v] of Object.entries(d))
      out.set(n, str(dig(v, 'condition')) ?? 'service_started');
  }
  return out;
}

/** Redis settings from a mounted redis.conf (if any) overridden by `--flag value` arguments. */
function redisSettings(svc: Obj, root: string): Map<string, string> {
  const out = new Map<string, string>();
  const argv = argvOf(svc.command) ?? [];
  const confArg = argv.find((a) => a.endsWith('.conf'));
  const mount = mountsOf(svc).find((m) => m.bind && confArg !== undefined && m.target === confArg);
  const conf = mount ? readIfExists(path.resolve(root, mount.source)) : undefined;
  for (const line of (conf ?? '').split('\n')) {
    const m = /^\s*([\w-]+)\s+(.+?)\s*$/.exec(line);
    if (m?.[1] !== undefined && !line.trim().startsWith('#'))
      out.set(m[1].toLowerCase(), m[2] ?? '');
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a.startsWith('--')) out.set(a.slice(2).toLowerCase(), argv[i + 1] ?? '');
  }
  return out;
}

interface AppService {
  name: string;
  svc: Obj;
  role: Role | undefined;
  env: Record<string, string>;
  config: Config | null;
}

export function checkCompose(
  p: Problems,
  root: string,
  repo: RepoInfo,
  image: ImageDefaults,
  lifecycleText: string | undefined,
): void {
  const text = readIfExists(path.join(root, COMPOSE_FILE));
  if (text === undefined) {
    p.add(COMPOSE_FILE, 'missing');
    return;
  }
  let doc: unknown;
  try {
    doc = interpolate(YAML.parse(text, { merge: true }), p);
  } catch (err) {
    p.add(COMPOSE_FILE, `does not parse: ${(err as Error).message}`);
    return;
  }
  const services = isObj(dig(doc, 'services')) ? (dig(doc, 'services') as Obj) : {};
  const svcs = Object.entries(services).filter((e): e is [string, Obj] => isObj(e[1]));
  const builtImages = new Set(
    svcs.filter(([, s]) => s.build !== undefined).map(([, s]) => str(s.image) ?? ''),
  );
  const here = (name: string) => `${COMPOSE_FILE}: service ${name}`;

  // Every bind mount from the repository must exist, or Docker mounts an empty directory.
  for (const [name, svc] of svcs) {
    for (const m of mountsOf(svc)) {
      if (m.bind && m.source.startsWith('.') && !fs.existsSync(path.resolve(root, m.source))) {
        p.add(here(name), `bind mount ${m.source} does not exist`);
      }
    }
  }

  const apps: AppService[] = [];
  for (const [name, svc] of svcs) {
    if (svc.build === undefined && !builtImages.has(str(svc.image) ?? '\0')) continue;
    const where = here(name);
    const env = envOf(svc, root, p, where);
    const entry = argvOf(svc.entrypoint);
    const argv = [...(entry ?? []), ...(argvOf(svc.command) ?? (entry ? [] : (image.cmd ?? [])))];
    const role = resolveCommand(p, where, repo, argv, image.workdir);
    // The image's ENV lines are there too, under what compose sets.
    const config = checkEnv(p, where, { ...image.env, ...env });
    apps.push({ name, svc, role, env, config });
    if (!role || !config) continue;
    checkRoleConfig(p, where, role, config);

    const hc = healthcheckText(svc, image);
    const probe = hc === undefined ? null : probeFromCommand(hc, { ...image.env, ...env });
    if (hc === undefined) p.add(where, 'has no healthcheck');
    else if (!probe) p.add(where, `healthcheck fetches no local URL: ${hc}`);
    else checkProbe(p, `${where} healthcheck`, role, config, probe);

    const replicas = num(dig(svc, 'deploy', 'replicas'));
    if (role === 'worker') {
      if (replicas === undefined)
        p.add(where, 'set deploy.replicas so `--scale worker=N` has a base');
      checkStopGrace(
        p,
        where,
        config,
        durationSeconds(svc.stop_grace_period ?? '10s'),
        'stop_grace_period',
      );
      const limit = dockerBytes(
        dig(svc, 'deploy', 'resources', 'limits', 'memory') ?? svc.mem_limit,
      );
      checkWorkerMemory(p, where, config, limit);
    }
    if (role === 'api' && (replicas ?? 1) < 2) {
      p.add(where, `runs ${replicas ?? 1} API replica(s); run at least 2 behind the load balancer`);
    }
    if (role === 'worker' || (replicas ?? 1) > 1) {
      if (svc.container_name !== undefined) p.add(where, 'container_name prevents scaling');
      for (const port of publishedPorts(svc)) {
        p.add(where, `publishes host port ${port}, which collides as soon as it has 2 replicas`);
      }
    }

    // Start order: wait for the backends named in the env to be healthy.
    const deps = dependsOn(svc);
    const backends = [config.redis.url, config.results.s3?.endpoint ?? null];
    for (const url of backends) {
      if (url === null) continue;
      const host = hostOf(url) ?? url;
      if (!services[host]) {
        p.add(where, `${url} names host ${host}, which is not a service in ${COMPOSE_FILE}`);
      } else if (deps.get(host) !== 'service_healthy') {
        p.add(where, `must depend on ${host} with condition service_healthy`);
      }
    }
  }

  checkDependsOn(p, svcs, here, image, builtImages);
  checkRedis(p, root, svcs, apps, here);
  checkBucketInit(p, root, svcs, apps, here);
  checkNginx(p, root, svcs, apps, here);

  const api = apps.find((a) => a.role === 'api');
  const worker = apps.find((a) => a.role === 'worker');
  if (!api) p.add(COMPOSE_FILE, 'no service runs the API');
  if (!worker) p.add(COMPOSE_FILE, 'no service runs the worker');
  if (api?.config && worker?.config) {
    checkSameBackends(
      p,
      COMPOSE_FILE,
      { name: api.name, config: api.config },
      {
        name: worker.name,
        config: worker.config,
      },
    );
  }
  for (const a of apps) {
    if (a.config) checkLifecycle(p, here(a.name), LIFECYCLE_FILE, lifecycleText, a.config);
  }
}

function checkDependsOn(
  p: Problems,
  svcs: [string, Obj][],
  here: (n: string) => string,
  image: ImageDefaults,
  builtImages: Set<string>,
): void {
  const byName = new Map(svcs);
  for (const [name, svc] of svcs) {
    for (const [dep, condition] of dependsOn(svc)) {
      const target = byName.get(dep);
      if (!target) {
        p.add(here(name), `depends on ${dep}, which is not a service`);
        continue;
      }
      const isApp = target.build !== undefined || builtImages.has(str(target.image) ?? '\0');
      if (
        condition === 'service_healthy' &&
        healthcheckText(target, isApp ? image : undefined) === undefined
      ) {
        p.add(here(name), `waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      }
      const restart = str(target.restart) ?? 'no';
      if (
        condition === 'service_completed_successfully' &&
        restart !== 'no' &&
        restart !== 'on-failure'
      ) {
        p.add(
          here(name),
          `waits for ${dep} to complete, but restart: ${restart} keeps restarting it`,
        );
      }
    }
  }
}

function checkRedis(
  p: Problems,
  root: string,
  svcs: [string, Obj][],
  apps: AppService[],
  here: (n: string) => string,
): void {
  const hosts = new Set(apps.flatMap((a) => (a.config ? [hostOf(a.config.redis.url) ?? ''] : [])));
  const redis = svcs.filter(([n, s]) => hosts.has(n) || /^redis(:|$)/.test(str(s.image) ?? ''));
  if (redis.length === 0) p.add(COMPOSE_FILE, 'no Redis service');
  for (const [name, svc] of redis) {
    const s = redisSettings(svc, root);
    if (s.get('appendonly') !== 'yes') {
      p.add(
        here(name),
        'Redis runs without AOF (--appendonly yes): queued jobs are lost on restart',
      );
    }
    const fsync = s.get('appendfsync');
    if (fsync !== undefined && fsync !== 'everysec' && fsync !== 'always') {
      p.add(here(name), `appendfsync ${fsync}: use everysec`);
    }
    if (s.get('maxmemory-policy') !== 'noeviction') {
      p.add(
        here(name),
        `maxmemory-policy is ${s.get('maxmemory-policy') ?? 'the default'}, not noeviction: ` +
          'BullMQ loses jobs when Redis evicts keys',
      );
    }
    const dir = s.get('dir') ?? '/data';
    if (!mountsOf(svc).some((m) => m.target === dir)) {
      p.add(here(name), `no volume at ${dir}: the AOF dies with the container`);
    }
  }
}

function checkBucketInit(
  p: Problems,
  root: string,
  svcs: [string, Obj][],
  apps: AppService[],
  here: (n: string) => string,
): void {
  const s3Apps = apps.filter((a) => a.config?.results.store === 's3');
  if (s3Apps.length === 0) return;
  const lifecycle = path.resolve(root, LIFECYCLE_FILE);
  const init = svcs.find(([, s]) =>
    mountsOf(s).some((m) => m.bind && path.resolve(root, m.source) === lifecycle),
  );
  if (!init) {
    p.add(COMPOSE_FILE, `no service creates the bucket and applies ${LIFECYCLE_FILE}`);
    return;
  }
  const [initName, initSvc] = init;
  const initText = JSON.stringify([initSvc.environment, initSvc.command, initSvc.entrypoint]);
  for (const a of s3Apps) {
    const bucket = a.config?.results.s3?.bucket ?? '';
    if (!initText.includes(JSON.stringify(bucket).slice(1, -1))) {
      p.add(here(initName), `does not create ${a.name}'s bucket ${bucket}`);
    }
    if (dependsOn(a.svc).get(initName) !== 'service_completed_successfully') {
      p.add(
        here(a.name),
        `must depend on ${initName} with condition service_completed_successfully`,
      );
    }
  }
}

function checkNginx(
  p: Problems,
  root: string,
  svcs: [string, Obj][],
  apps: AppService[],
  here: (n: string) => string,
): void {
  const api = apps.find((a) => a.role === 'api');
  const lbs = svcs.filter(([, s]) => /^nginx(:|$)/.test(str(s.image) ?? ''));
  if (lbs.length === 0) {
    p.add(COMPOSE_FILE, 'no nginx load balancer in front of the API replicas');
    return;
  }
  for (const [name, svc] of lbs) {
    const where = here(name);
    if (publishedPorts(svc).length === 0) p.add(where, 'publishes no port');
    const conf = mountsOf(svc)
      .filter((m) => m.bind && m.source.endsWith('.conf'))
      .map((m) => readIfExists(path.resolve(root, m.source)) ?? '')
      .join('\n');
    if (!api?.config) continue;
    const servers = [...conf.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)];
    if (!servers.some((m) => m[1] === api.name && Number(m[2]) === api.config?.api.port)) {
      p.add(where, `no upstream server ${api.name}:${api.config.api.port}`);
    }
    const read = /proxy_read_timeout\s+(\d+)(s|m)?\s*;/.exec(conf);
    const readSeconds = read ? Number(read[1]) * (read[2] === 'm' ? 60 : 1) : 60;
    if (readSeconds <= api.config.queue.syncWaitSeconds) {
      p.add(
        where,
        `proxy_read_timeout ${readSeconds}s cuts sync requests, which wait up to ` +
          `OPENAD_ASYNC_SYNC_WAIT_SECONDS ${api.config.queue.syncWaitSeconds}s`,
      );
    }
    const body = /client_max_body_size\s+(\d+)([kKmMgG])?\s*;/.exec(conf);
    const bodyKb = body
      ? Number(body[1]) *
        ({ k: 1, m: 1024, g: 1024 * 1024 }[(body[2] ?? '').toLowerCase()] ?? 1 / 1024)
      : 1024;
    if (bodyKb < api.config.api.maxBodyKb) {
      p.add(
        where,
        `client_max_body_size ${bodyKb} KB is below OPENAD_ASYNC_MAX_BODY_KB ${api.config.api.maxBodyKb}`,
      );
    }
    if (dependsOn(svc).get(api.name) !== 'service_healthy') {
      p.add(where, `must depend on ${api.name} with condition service_healthy`);
    }
  }
}
