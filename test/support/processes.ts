import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Runs a built app (`npm run build` first: `npm test` does) as a real process. */
export function startApp(app: 'api' | 'worker', env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, [join(ROOT, 'apps', app, 'dist', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    child,
    output: () => out,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until the process prints a line matching `pattern`. */
export async function waitForOutput(
  p: RunningProcess,
  pattern: RegExp,
  timeoutMs = 15000,
): Promise<RegExpMatchArray> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const m = p.output().match(pattern);
    if (m) return m;
    if (Date.now() > end || p.child.exitCode !== null) {
      throw new Error(
        `no output matching ${pattern} (exit ${p.child.exitCode}); output:\n${p.output()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
