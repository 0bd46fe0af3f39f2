/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and summarises where the time went: top functions
 * by self time, and self time grouped by origin (a package in node_modules, one of ours, node
 * internals, GC, idle).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Non-idle time. */
  busyMs: number;
  top: { fn: string; where: string; selfMs: number; pct: number }[];
  byOrigin: { origin: string; selfMs: number; pct: number }[];
  /**
   * Self time of native functions (syscall wrappers: socket and file writes, fsync, …) by the
   * JS module that called them, which tells a socket write (node:net) from a file write
   * (node:internal/fs); wall time while busy, so it includes time spent descheduled.
   */
  nativeByCaller: { fn: string; caller: string; selfMs: number; pct: number }[];
}

/** The module of a frame's url, short: 'node:internal/fs', 'ioredis', '@openad-async/results'. */
function moduleOf(url: string): string {
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/').replace(/\.js$/, '');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return nm[1]!;
  const ours = /\/(packages|apps)\/([^/]+)\//.exec(url);
  return ours ? `@openad-async/${ours[2]}` : url;
}

function originOf(url: string, fn: string): string {
  if (fn === '(idle)') return '(idle)';
  if (fn === '(garbage collector)') return '(gc)';
  if (fn === '(program)') return '(program: native, outside JS)';
  if (url === '') return `(native) ${fn}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const ours = /\/(packages|apps)\/([^/]+)\//.exec(url);
  if (ours) return `@openad-async/${ours[2]}`;
  if (url.includes('/bench/')) return 'bench';
  return url;
}

export function summarizeProfile(file: string, topN = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  /** The first caller outside Node's own modules (ioredis, express, …), else the first node:* one. */
  const callerOf = (id: number): string => {
    let fallback = '(none)';
    for (let p = parentOf.get(id); p !== undefined; p = parentOf.get(p)) {
      const url = byId.get(p)?.callFrame.url ?? '';
      if (!url) continue;
      const mod = moduleOf(url);
      if (!mod.startsWith('node:')) return mod;
      if (fallback === '(none)' && !mod.startsWith('node:internal')) fallback = mod;
    }
    return fallback;
  };
  const nativeByCaller = new Map<string, { fn: string; caller: string; us: number }>();
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFn = new Map<string, { fn: string; where: string; us: number }>();
  const byOrigin = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = functionName || '(anonymous)';
    total += us;
    if (fn === '(idle)') idle += us;
    const short = url
      .replace(/^.*\/node_modules\//, '')
      .replace(/^file:\/\/.*?\/(packages|apps)\//, '$1/');
    const where = url ? `${short}:${lineNumber + 1}` : '';
    const key = `${fn}@${where}`;
    const entry = byFn.get(key) ?? { fn, where, us: 0 };
    entry.us += us;
    byFn.set(key, entry);
    const origin = originOf(url, fn);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us);
    if (url === '' && !fn.startsWith('(')) {
      const caller = callerOf(id);
      const k = `${fn}@${caller}`;
      const e = nativeByCaller.get(k) ?? { fn, caller, us: 0 };
      e.us += us;
      nativeByCaller.set(k, e);
    }
  }
  const busy = total - idle;
  const pct = (us: number) => Math.round((us / busy) * 1000) / 10;
  return {
    file,
    totalMs: total / 1000,
    busyMs: busy / 1000,
    top: [...byFn.values()]
      .filter((e) => e.fn !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((e) => ({ fn: e.fn, where: e.where, selfMs: e.us / 1000, pct: pct(e.us) })),
    byOrigin: [...byOrigin.entries()]
      .filter(([o]) => o !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([origin, us]) => ({ origin, selfMs: us / 1000, pct: pct(us) })),
    nativeByCaller: [...nativeByCaller.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((e) => ({ fn: e.fn, caller: e.caller, selfMs: e.us / 1000, pct: pct(e.us) })),
  };
}

/** Markdown lines for a summary (percentages of non-idle time). */
export function profileMarkdown(title: string, s: ProfileSummary, topN = 15): string[] {
  return [
    `**${title}** — ${Math.round(s.busyMs)} ms busy of ${Math.round(s.totalMs)} ms sampled`,
    '',
    '| self % | function | where |',
    '| ---: | --- | --- |',
    ...s.top.slice(0, topN).map((t) => `| ${t.pct} | \`${t.fn}\` | ${t.where} |`),
    '',
    '| self % | origin |',
    '| ---: | --- |',
    ...s.byOrigin.slice(0, 12).map((o) => `| ${o.pct} | ${o.origin} |`),
    '',
    '| self % | native function | called from |',
    '| ---: | --- | --- |',
    ...(s.nativeByCaller ?? []).slice(0, 8).map((n) => `| ${n.pct} | \`${n.fn}\` | ${n.caller} |`),
    '',
  ];
}

/** Summaries of every .cpuprofile under `dir` (one per process or thread that wrote one). */
export function profilesIn(dir: string): { name: string; summary: ProfileSummary }[] {
  const out: { name: string; summary: ProfileSummary }[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.cpuprofile')) {
        out.push({ name: path.relative(dir, full), summary: summarizeProfile(full) });
      }
    }
  };
  walk(dir);
  return out;
}
