/** Reads the Dockerfile and .dockerignore and checks the image they build. */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
  checkEnv,
  checkProbe,
  probeFromCommand,
  resolveCommand,
  type Problems,
  type RepoInfo,
  type Role,
} from './app-rules';
import { readIfExists, shellSplit } from './util';

export const NODE_IMAGE = 'node:20-bookworm-slim';

interface Instruction {
  op: string;
  args: string;
}

interface Stage {
  name: string | undefined;
  image: string;
  instructions: Instruction[];
}

/** What compose and Kubernetes inherit from the image when they do not override it. */
export interface ImageDefaults {
  cmd: string[] | undefined;
  healthcheck: string | undefined;
  workdir: string;
  env: Record<string, string>;
}

export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue; // comments, also inside a continued instruction
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      cur += `${line.slice(0, -1)} `;
      continue;
    }
    cur += line;
    if (cur.trim() !== '') logical.push(cur.trim());
    cur = '';
  }
  if (cur.trim() !== '') logical.push(cur.trim());

  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\w+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const op = (m[1] ?? '').toUpperCase();
    const rest = m[2] ?? '';
    if (op === 'FROM') {
      const words = rest.split(/\s+/).filter((w) => !w.startsWith('--'));
      const image = (words[0] ?? '').replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_, a, b) => args[a ?? b] ?? '',
      );
      const asIdx = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ name: asIdx >= 0 ? words[asIdx + 1] : undefined, image, instructions: [] });
    } else if (stages.length === 0) {
      if (op === 'ARG') {
        const [k, v = ''] = rest.split('=');
        if (k) args[k.trim()] = v.trim();
      }
    } else {
      stages[stages.length - 1]?.instructions.push({ op, args: rest });
    }
  }
  return { args, stages };
}

function execForm(text: string): string[] | undefined {
  if (!text.trim().startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

function parseEnv(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!args.includes('=')) {
    const [k, ...v] = args.split(/\s+/);
    if (k) out[k] = v.join(' ');
    return out;
  }
  for (const pair of shellSplit(args)) {
    const i = pair.indexOf('=');
    if (i > 0) out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

/** `.dockerignore` patterns as regular expressions over context-relative paths. */
function ignoreMatchers(text: string): { re: RegExp; negate: boolean }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pat = (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
      let re = '';
      for (let i = 0; i < pat.length; i++) {
        const c = pat[i] as string;
        if (c === '*' && pat[i + 1] === '*') {
          re += pat[i + 2] === '/' ? '(?:.*/)?' : '.*';
          i += pat[i + 2] === '/' ? 2 : 1;
        } else if (c === '*') re += '[^/]*';
        else if (c === '?') re += '[^/]';
        else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return { re: new RegExp(`^${re}$`), negate };
    });
}

/** Docker's rule: the last matching pattern wins; a path is excluded with any excluded parent. */
function isIgnored(matchers: { re: RegExp; negate: boolean }[], file: string): boolean {
  const parts = path.posix
    .normalize(file)
    .replace(/^\.\/?/, '')
    .split('/');
  for (let n = 1; n <= parts.length; n++) {
    const prefix = parts.slice(0, n).join('/');
    let ignored = false;
    for (const m of matchers) if (m.re.test(prefix)) ignored = !m.negate;
    if (ignored) return true;
  }
  return false;
}

export function checkDockerfile(p: Problems, root: string, repo: RepoInfo): ImageDefaults {
  const where = 'Dockerfile';
  const defaults: ImageDefaults = { cmd: undefined, healthcheck: undefined, workdir: '/', env: {} };
  const text = readIfExists(path.join(root, 'Dockerfile'));
  if (text === undefined) {
    p.add(where, 'missing');
    return defaults;
  }
  const { stages } = parseDockerfile(text);
  const final = stages[stages.length - 1];
  if (!final) {
    p.add(where, 'has no FROM');
    return defaults;
  }
  const names = new Set(stages.map((s) => s.name).filter((n): n is string => n !== undefined));
  for (const s of stages) {
    if (!names.has(s.image) && s.image.split('@')[0] !== NODE_IMAGE) {
      p.add(
        where,
        `stage ${s.name ?? '(final)'} is FROM ${s.image}, not the official ${NODE_IMAGE}`,
      );
    }
  }

  const runs = (s: Stage) => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
  const isProdInstall = (r: string) => /\bnpm ci\b[^&;|]*--omit=dev/.test(r);
  const buildStage = stages.find(
    (s) =>
      runs(s).some((r) => /\bnpm ci\b/.test(r) && !isProdInstall(r)) &&
      runs(s).some((r) => /\bnpm run build\b/.test(r)),
  );
  const depsStage = stages.find((s) => runs(s).some(isProdInstall));
  if (!buildStage) p.add(where, 'no stage runs `npm ci` and `npm run build`');
  if (!depsStage) p.add(where, 'no stage runs `npm ci --omit=dev` for production dependencies');

  // The final image must get node_modules from the production install, never from the build.
  const copiesFrom = (from: Stage): Instruction[] =>
    from.name === undefined
      ? []
      : final.instructions.filter((i) => i.op === 'COPY' && i.args.includes(`--from=${from.name}`));
  const wholeOrModules = (args: string) => {
    const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
    return words
      .slice(0, -1)
      .some((src) => /node_modules/.test(src) || /^(\/app\/?|\.\/?)$/.test(src));
  };
  if (buildStage && buildStage !== depsStage) {
    for (const c of copiesFrom(buildStage)) {
      if (wholeOrModules(c.args)) {
        p.add(where, `final stage copies ${c.args} from the build stage: dev dependencies ship`);
      }
    }
  }
  if (depsStage && final !== depsStage && final.image !== depsStage.name) {
    if (!copiesFrom(depsStage).some((c) => wholeOrModules(c.args))) {
      p.add(where, `final stage does not take node_modules from the ${depsStage.name} stage`);
    }
  }

  for (const i of final.instructions) {
    if (i.op === 'WORKDIR') defaults.workdir = i.args.trim();
    if (i.op === 'ENV') Object.assign(defaults.env, parseEnv(i.args));
  }
  const user = final.instructions
    .filter((i) => i.op === 'USER')
    .pop()
    ?.args.trim();
  if (user === undefined || /^(root|0)(:.*)?$/.test(user)) {
    p.add(where, `final stage runs as ${user ?? 'root (no USER)'}; use a non-root user`);
  }

  const cmd = final.instructions.filter((i) => i.op === 'CMD').pop();
  let role: Role | undefined;
  if (!cmd) p.add(where, 'no CMD');
  else {
    const argv = execForm(cmd.args);
    if (!argv) {
      p.add(where, 'CMD is in shell form: sh becomes PID 1 and SIGTERM never reaches node');
    } else {
      defaults.cmd = argv;
      role = resolveCommand(p, `${where} CMD`, repo, argv, defaults.workdir);
    }
  }

  const hc = final.instructions.filter((i) => i.op === 'HEALTHCHECK').pop();
  const hcCmd = hc ? /(?:^|\s)CMD\s+(.*)$/.exec(hc.args)?.[1] : undefined;
  if (!hc || /^\s*NONE\b/.test(hc.args) || hcCmd === undefined) {
    p.add(where, 'final stage has no HEALTHCHECK');
  } else {
    defaults.healthcheck = (execForm(hcCmd) ?? [hcCmd]).join(' ');
    if (/\b(curl|wget)\b/.test(defaults.healthcheck)) {
      p.add(where, `HEALTHCHECK uses curl/wget, which ${NODE_IMAGE} does not ship`);
    }
    const config = checkEnv(p, `${where} ENV`, defaults.env);
    const probe = probeFromCommand(defaults.healthcheck, defaults.env);
    if (!probe) p.add(where, `HEALTHCHECK fetches no local URL: ${defaults.healthcheck}`);
    else if (config && role) checkProbe(p, `${where} HEALTHCHECK`, role, config, probe, '/healthz');
  }

  // The build context: what COPY needs must be there, and host build output must stay out.
  const ignore = ignoreMatchers(readIfExists(path.join(root, '.dockerignore')) ?? '');
  for (const junk of [
    'packages/x/node_modules',
    'apps/x/node_modules',
    'node_modules',
    'apps/x/dist',
  ]) {
    if (!isIgnored(ignore, junk)) {
      p.add(
        '.dockerignore',
        `does not exclude ${junk.replace('/x/', '/*/')}: host files would overwrite the image's`,
      );
    }
  }
  for (const s of stages) {
    for (const c of s.instructions.filter((i) => i.op === 'COPY' || i.op === 'ADD')) {
      if (/--from=/.test(c.args)) continue;
      const words = execForm(c.args) ?? c.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      for (const src of words.slice(0, -1)) {
        if (isIgnored(ignore, src)) p.add(where, `COPY ${src}: excluded by .dockerignore`);
        else if (!fs.existsSync(path.join(repo.sourceRoot, src))) {
          p.add(where, `COPY ${src}: not in the build context`);
        }
      }
    }
  }
  return defaults;
}
