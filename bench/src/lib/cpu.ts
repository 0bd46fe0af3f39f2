/** CPU time accounting across the processes of one measurement (server, workers, Redis, client). */
import { cpuSeconds } from './procs';
import { connect } from './redis';

let redisPid: number | null = null;

/** Redis's pid (INFO server process_id), when it runs on this machine; cached. */
export async function redisServerPid(): Promise<number | null> {
  if (redisPid !== null) return redisPid;
  const redis = connect('openad-bench-info');
  try {
    const info = await redis.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1] ?? Number.NaN);
    redisPid = Number.isFinite(pid) && Number.isFinite(cpuSeconds(pid)) ? pid : null;
  } finally {
    redis.disconnect();
  }
  return redisPid;
}

/** Starts counting CPU seconds of named pids (plus this process as 'client'). */
export function cpuMeter(pids: Record<string, number | null>) {
  const start: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) if (pid !== null) start[name] = cpuSeconds(pid);
  const client0 = process.cpuUsage();
  return {
    /** CPU seconds used by each since start. */
    stop(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const [name, pid] of Object.entries(pids)) {
        if (pid !== null) out[name] = cpuSeconds(pid) - start[name]!;
      }
      const c = process.cpuUsage(client0);
      out.client = (c.user + c.system) / 1e6;
      return out;
    },
  };
}
