/**
 * What a bench must undo if it is interrupted (Ctrl-C, SIGTERM, a timeout): child processes and
 * Redis keys under its prefixes. Hooks run once, for at most 5 s, then the process exits.
 */
const hooks: (() => void | Promise<unknown>)[] = [];
let interrupted = false;

export function onInterrupt(hook: () => void | Promise<unknown>): void {
  hooks.push(hook);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`${signal}: cleaning up`);
    const timer = setTimeout(() => process.exit(130), 5000);
    void Promise.allSettled(hooks.map(async (h) => h())).finally(() => {
      clearTimeout(timer);
      process.exit(130);
    });
  });
}
