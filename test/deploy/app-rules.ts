/**
 * What the deployment files must agree with in the apps: the variables the config package
 * parses, the routes and ports each process serves, the entry points the build produces, and
 * the memory and shutdown settings. Compose, Kubernetes and Dockerfile checks all use these.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ConfigError, KNOWN_ENV_VARS, loadConfig, type Config } from '@openad-async/config';

import { editDistance, isObj, MiB, readIfExists, shellSplit, str } from './util';

export type Role = 'api' | 'worker';

/** Routes each process serves without auth, and which port they are on. */
export const ROUTES: Record<Role, readonly string[]> = {
  api: ['/health', '/healthz', '/readyz', '/metrics'],
  worker: ['/healthz', '/metrics'],
};

/** Room for the Node process itself above the model cache and its headroom. */
export const NODE_OVERHEAD_MB = 256;

const EXTRA_ENV = /^(AWS_[A-Z0-9_]+|NODE_ENV|NODE_OPTIONS)$/;

/** Problems collected under a location prefix, e.g. `docker-compose.yml: service api`. */
export class Problems {
  readonly list: string[] = [];
  add(where: string, message: string): void {
    this.list.push(`${where}: ${message}`);
  }
}

export interface RepoInfo {
  /** Where package.json, tsconfig.json and apps/ live. */
  sourceRoot: string;
  scripts: Record<string, string>;
}

export function readRepo(sourceRoot: string): RepoInfo {
  const pkg: unknown = JSON.parse(readIfExists(path.join(sourceRoot, 'package.json')) ?? '{}');
  const scripts: Record<string, string> = {};
  const raw = isObj(pkg) ? pkg.scripts : undefined;
  if (isObj(raw))
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') scripts[k] = v;
  return { sourceRoot, scripts };
}

/**
 * Checks the variables one process gets and parses them with the real loadConfig.
 * Returns the parsed config, or null when it does not parse (the problem is recorded).
 */
export function checkEnv(p: Problems, where: string, env: Record<string, string>): Config | null {
  for (const name of Object.keys(env)) {
    if (KNOWN_ENV_VARS.includes(name) || EXTRA_ENV.test(name)) continue;
    const near = KNOWN_ENV_VARS.find((k) => editDistance(k, name) <= 3);
    p.add(
      where,
      `unknown env variable ${name}: the config package does not read it` +
        (near ? ` (did you mean ${near}?)` : ''),
    );
  }
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) p.add(where, `loadConfig rejects ${problem}`);
    return null;
  }
}

/** Role-specific settings every deployment of that process needs. */
export function checkRoleConfig(p: Problems, where: string, role: Role, config: Config): void {
  if (role === 'worker' && config.worker.metricsPort === null) {
    p.add(
      where,
      'OPENAD_ASYNC_WORKER_METRICS_PORT is not set: the worker serves no /healthz or /metrics',
    );
  }
}

/** The port a role's health routes are served on, from its parsed config. */
export function healthPort(role: Role, config: Config): number | null {
  return role === 'api' ? config.api.port : config.worker.metricsPort;
}

/** An HTTP probe (Kubernetes httpGet, or a URL in a healthcheck command) against a role. */
export function checkProbe(
  p: Problems,
  where: string,
  role: Role,
  config: Config,
  probe: { path: string; port: number | undefined },
  requiredPath?: string,
): void {
  const routes = ROUTES[role];
  const pathOnly = probe.path.split('?')[0] ?? probe.path;
  if (!routes.includes(pathOnly)) {
    p.add(where, `probe path ${probe.path} is not served by the ${role} (${routes.join(', ')})`);
  } else if (requiredPath !== undefined && pathOnly !== requiredPath) {
    p.add(where, `probe path ${probe.path} should be ${requiredPath}`);
  }
  const expected = healthPort(role, config);
  if (expected === null) return; // reported by checkRoleConfig
  if (probe.port !== expected) {
    p.add(
      where,
      `probe port ${probe.port ?? '(unresolved)'} is not the ${role}'s port ${expected} ` +
        `(${role === 'api' ? 'PORT' : 'OPENAD_ASYNC_WORKER_METRICS_PORT'})`,
    );
  }
}

/**
 * A URL probe inside a healthcheck command: `http://127.0.0.1:8080/healthz`, or the port from
 * the env as in `'http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz'`.
 */
export function probeFromCommand(
  text: string,
  env: Record<string, string>,
): { path: string; port: number | undefined } | null {
  const literal = /https?:\/\/(?:127\.0\.0\.1|localhost|0\.0\.0\.0)(?::(\d+))?(\/[^\s'"`)]*)/.exec(
    text,
  );
  if (literal?.[2] !== undefined) {
    return { path: literal[2], port: literal[1] === undefined ? 80 : Number(literal[1]) };
  }
  const fromEnv =
    /https?:\/\/(?:127\.0\.0\.1|localhost|0\.0\.0\.0):['"`]\s*\+\s*\(?\s*process\.env\.(\w+)(?:\s*(?:\|\||\?\?)\s*(\d+))?\s*\)?\s*\+\s*['"`](\/[^\s'"`)]*)/.exec(
      text,
    );
  if (fromEnv?.[1] !== undefined && fromEnv[3] !== undefined) {
    const value = env[fromEnv[1]];
    const port = value !== undefined && value !== '' ? Number(value) : Number(fromEnv[2]);
    return { path: fromEnv[3], port: Number.isFinite(port) ? port : undefined };
  }
  return null;
}

/**
 * Follows a container command to the file node runs: `npm run <script>` must name a script in
 * package.json; `node apps/<x>/dist/<f>.js` is built by `npm run build`, so `apps/<x>/src/<f>.ts`
 * must exist and the root build must reach that workspace. Returns the role it starts.
 */
export function resolveCommand(
  p: Problems,
  where: string,
  repo: RepoInfo,
  argv: string[],
  workdir = '/app',
  depth = 0,
): Role | undefined {
  const [cmd, ...rest] = argv;
  const base = cmd === undefined ? '' : path.posix.basename(cmd);
  if (depth > 5 || cmd === undefined) {
    p.add(where, `command ${JSON.stringify(argv)} does not start a process`);
    return undefined;
  }
  if (base === 'exec') return resolveCommand(p, where, repo, rest, workdir, depth + 1);
  if ((base === 'sh' || base === 'bash') && rest[0] === '-c' && rest[1] !== undefined) {
    return resolveCommand(p, where, repo, shellSplit(rest[1]), workdir, depth + 1);
  }
  if (base === 'npm') {
    const script = rest[0] === 'run' || rest[0] === 'run-script' ? rest[1] : rest[0];
    const body = script === undefined ? undefined : repo.scripts[script];
    if (body === undefined) {
      p.add(where, `command runs npm script "${script ?? ''}", which package.json does not define`);
      return undefined;
    }
    return resolveCommand(p, where, repo, shellSplit(body), workdir, depth + 1);
  }
  if (base === 'node') {
    const file = rest.find((a) => !a.startsWith('-'));
    if (file === undefined || rest.some((a) => a === '-e' || a === '--eval')) {
      p.add(where, `command ${JSON.stringify(argv)} runs no file`);
      return undefined;
    }
    return checkEntryFile(p, where, repo, file, workdir);
  }
  p.add(where, `command ${JSON.stringify(argv)} is neither node nor an npm script`);
  return undefined;
}

function checkEntryFile(
  p: Problems,
  where: string,
  repo: RepoInfo,
  file: string,
  workdir: string,
): Role | undefined {
  const relFile = path.posix.normalize(
    file.startsWith(`${workdir}/`) ? file.slice(workdir.length + 1) : file,
  );
  const built = /^((?:apps|packages)\/[^/]+)\/dist\/(.+)\.js$/.exec(relFile);
  if (!built) {
    if (!fs.existsSync(path.join(repo.sourceRoot, relFile))) {
      p.add(where, `command runs ${file}, which does not exist`);
    }
    return undefined;
  }
  const [, workspace = '', inner = ''] = built;
  const source = `${workspace}/src/${inner}.ts`;
  if (!fs.existsSync(path.join(repo.sourceRoot, source))) {
    p.add(where, `command runs ${file}, built from ${source}, which does not exist`);
    return undefined;
  }
  if (!buildReaches(repo, workspace)) {
    p.add(
      where,
      `command runs ${file}, but \`npm run build\` does not build ${workspace} ` +
        `(no project reference reaches it from the root tsconfig)`,
    );
  }
  const app = /^apps\/(api|worker)$/.exec(workspace)?.[1];
  return app === 'api' || app === 'worker' ? app : undefined;
}

/** Whether `tsc -b <root tsconfig>` (the build script) reaches a workspace via references. */
function buildReaches(repo: RepoInfo, workspace: string): boolean {
  const args = shellSplit(repo.scripts.build ?? '');
  const flag = args.findIndex((a) => a === '-b' || a === '--build');
  if (flag < 0) return false;
  const start = path.resolve(repo.sourceRoot, args[flag + 1] ?? 'tsconfig.json');
  const target = path.resolve(repo.sourceRoot, workspace);
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    let file = queue.pop() as string;
    if (fs.existsSync(file) && fs.statSync(file).isDirectory())
      file = path.join(file, 'tsconfig.json');
    if (seen.has(file)) continue;
    seen.add(file);
    if (path.dirname(file) === target) return true;
    const text = readIfExists(file);
    if (text === undefined) continue;
    let json: unknown;
    try {
      json = JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
    } catch {
      continue;
    }
    const refs = isObj(json) && Array.isArray(json.references) ? json.references : [];
    for (const ref of refs) {
      const refPath = isObj(ref) ? str(ref.path) : undefined;
      if (refPath !== undefined) queue.push(path.resolve(path.dirname(file), refPath));
    }
  }
  return false;
}

/** The worker's container memory limit must hold the model cache, its headroom and Node. */
export function checkWorkerMemory(
  p: Problems,
  where: string,
  config: Config,
  limitBytes: number | undefined,
): void {
  if (limitBytes === undefined) {
    p.add(where, 'worker has no memory limit to size MAX_MEMORY_MB + MEMORY_HEADROOM_MB against');
    return;
  }
  const max = config.models.maxMemoryMb;
  if (max === null) {
    p.add(
      where,
      `OPENAD_ASYNC_MAX_MEMORY_MB is unset under a ${Math.round(limitBytes / MiB)} Mi limit: ` +
        'the model cache would grow until the container is OOM-killed',
    );
    return;
  }
  const needMb = max + config.models.memoryHeadroomMb + NODE_OVERHEAD_MB;
  const limitMb = limitBytes / MiB;
  if (limitMb < needMb) {
    p.add(
      where,
      `memory limit ${Math.round(limitMb)} Mi is below MAX_MEMORY_MB ${max} + ` +
        `MEMORY_HEADROOM_MB ${config.models.memoryHeadroomMb} + ${NODE_OVERHEAD_MB} for Node ` +
        `= ${needMb} Mi`,
    );
  }
}

/** A draining worker must be allowed to finish before the platform's SIGKILL. */
export function checkStopGrace(
  p: Problems,
  where: string,
  config: Config,
  graceSeconds: number | undefined,
  setting: string,
): void {
  const shutdown = config.worker.shutdownGraceSeconds;
  if (graceSeconds === undefined || graceSeconds <= shutdown) {
    p.add(
      where,
      `${setting} (${graceSeconds ?? 'unreadable'} s) must be longer than ` +
        `OPENAD_ASYNC_SHUTDOWN_GRACE_SECONDS (${shutdown} s)`,
    );
  }
}

/** API and workers must meet in the same Redis queues and the same result store. */
export function checkSameBackends(
  p: Problems,
  where: string,
  a: { name: string; config: Config },
  b: { name: string; config: Config },
): void {
  const pick = (c: Config) => ({
    OPENAD_ASYNC_REDIS_URL: c.redis.url,
    OPENAD_ASYNC_QUEUE_PREFIX: c.queue.prefix,
    OPENAD_ASYNC_RESULT_STORE: c.results.store,
    OPENAD_ASYNC_RESULT_TTL_HOURS: String(c.results.ttlHours),
    OPENAD_ASYNC_S3_BUCKET: c.results.s3?.bucket ?? '',
    OPENAD_ASYNC_S3_PREFIX: c.results.s3?.prefix ?? '',
    OPENAD_ASYNC_S3_ENDPOINT: c.results.s3?.endpoint ?? '',
    OPENAD_ASYNC_RESULT_DIR: c.results.store === 'fs' ? c.results.dir : '',
  });
  const x = pick(a.config);
  const y = pick(b.config);
  for (const key of Object.keys(x) as (keyof typeof x)[]) {
    if (x[key] !== y[key]) {
      p.add(where, `${a.name} and ${b.name} disagree on ${key} (${x[key]} vs ${y[key]})`);
    }
  }
}

/** The S3 lifecycle rule must expire exactly the store's key prefix after ceil(TTL/24) days. */
export function checkLifecycle(
  p: Problems,
  where: string,
  lifecycleFile: string,
  lifecycleText: string | undefined,
  config: Config,
): void {
  if (config.results.store !== 's3' || config.results.s3 === null) return;
  if (lifecycleText === undefined) {
    p.add(where, `${lifecycleFile} is missing`);
    return;
  }
  const prefix = config.results.s3.prefix;
  const keyPrefix = `${prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`}results/`;
  const days = Math.ceil(config.results.ttlHours / 24);
  let doc: unknown;
  try {
    doc = JSON.parse(lifecycleText);
  } catch (err) {
    p.add(where, `${lifecycleFile} is not JSON: ${(err as Error).message}`);
    return;
  }
  const rules = isObj(doc) && Array.isArray(doc.Rules) ? doc.Rules.filter(isObj) : [];
  const match = rules.find((r) => {
    const rulePrefix = isObj(r.Filter) ? str(r.Filter.Prefix) : str(r.Prefix);
    return rulePrefix === keyPrefix;
  });
  if (!match) {
    p.add(where, `${lifecycleFile} has no rule for the result prefix "${keyPrefix}"`);
    return;
  }
  const got = isObj(match.Expiration) ? match.Expiration.Days : undefined;
  if (match.Status !== 'Enabled' || got !== days) {
    p.add(
      where,
      `${lifecycleFile}: the "${keyPrefix}" rule must be Enabled and expire after ${days} day(s) ` +
        `(ceil(RESULT_TTL_HOURS ${config.results.ttlHours} / 24)); it has ` +
        `Status ${String(match.Status)}, Days ${String(got)}`,
    );
  }
}
