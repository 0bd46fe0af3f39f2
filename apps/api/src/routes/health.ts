import type { HandlerResult } from '../http/handler';

/** Probes the API's dependencies for readiness. */
export interface ReadinessProbe {
  name: string;
  check(): Promise<void>;
}

/** `GET /health`: the OpenAD client's probe; only an exact 200 counts as up. */
export async function health(): Promise<HandlerResult> {
  return { body: 'UP', text: true };
}

/** `GET /healthz`: the process answers. */
export async function healthz(): Promise<HandlerResult> {
  return { body: { status: 'ok' } };
}

/** `GET /readyz`: Redis and the result store reachable, each within a short timeout. */
export function readyz(probes: ReadinessProbe[], timeoutMs = 2000) {
  return async (): Promise<HandlerResult> => {
    const results = await Promise.all(
      probes.map(async (p) => {
        try {
          await withTimeout(p.check(), timeoutMs);
          return [p.name, 'ok'] as const;
        } catch {
          return [p.name, 'unreachable'] as const;
        }
      }),
    );
    const ready = results.every(([, s]) => s === 'ok');
    return {
      status: ready ? 200 : 503,
      body: { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) },
    };
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]);
}
