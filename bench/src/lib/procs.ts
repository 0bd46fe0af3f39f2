/**
 * Child processes of a bench: the real api and worker (`apps/<app>/dist/main.js`, configured by
 * env only, as deployed) and the baseline servers. Output goes to a log file, not through this
 * process, so the client pays nothing for the servers' logging. Every child is killed when the
 * bench exits, however it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { onInterrupt } from './cleanup';
import { ROOT, sleep } from './env';

const children = new Set<ChildProcess>();
const killChildren = (): void => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};
process.on('exit', killChildren);
onInterrupt(killChildren);

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  logFile: string;
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | string>;
  log(): string;
}

export interface SpawnOptions {
  name: string;
  script: string;
  env: Record<string, string>;
  logDir: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  args?: string[];
}

export function spawnNode(o: SpawnOptions): Child {
  mkdirSync(o.logDir, { recursive: true });
  const logFile = path.join(o.logDir, `${o.name}.log`);
  const fd = openSync(logFile, 'a');
  const proc = spawn(process.execPath, [...(o.nodeArgs ?? []), o.script, ...(o.args ?? [])], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...o.env },
    stdio: ['ignore', fd, fd],
    cwd: ROOT,
  });
  closeSync(fd);
  children.add(proc);
  const exited = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      resolve(code ?? signal ?? -1);
    }),
  );
  return {
    name: o.name,
    proc,
    pid: proc.pid ?? -1,
    logFile,
    exited,
    log: () => readFileSync(logFile, 'utf8'),
    async stop(graceMs = 10_000) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A free loopback port (bound and released; good enough for benches run one at a time). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `GET path` until it answers 200 (or the child dies, or time runs out). */
export async function waitHttp(
  child: Child,
  port: number,
  urlPath = '/readyz',
  timeoutMs = 30_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null) {
      throw new Error(
        `${child.name} exited (${child.proc.exitCode}):\n${child.log().slice(-3000)}`,
      );
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}${urlPath}`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${child.name} not ready on :${port}${urlPath}`);
    await sleep(100);
  }
}

/** Resident set size of a process (all its threads), MB, from /proc. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (user + system) of a process so far, seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] = utime, fields[12] = stime (after pid and comm), in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Samples RSS of some processes every `everyMs` until stopped. */
export function sampleRss(pids: Record<string, number>, everyMs = 250) {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(pids)) samples[name] = [];
  const timer = setInterval(() => {
    for (const [name, pid] of Object.entries(pids)) {
      const v = rssMb(pid);
      if (Number.isFinite(v)) samples[name]!.push(v);
    }
  }, everyMs);
  return {
    stop(): Record<string, number[]> {
      clearInterval(timer);
      return samples;
    },
  };
}

export const APP_SCRIPT = {
  api: path.join(ROOT, 'apps', 'api', 'dist', 'main.js'),
  worker: path.join(ROOT, 'apps', 'worker', 'dist', 'main.js'),
};
export const BENCH_DIST = path.join(ROOT, 'bench', 'dist');
