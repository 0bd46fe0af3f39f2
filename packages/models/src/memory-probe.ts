import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Free memory in MB, as the headroom rule sees it. Called on every placement decision. */
export type FreeMemoryProbe = () => number;

export interface FreeMemoryProbeOptions {
  /** cgroup v2 directory of this process. @defaultValue '/sys/fs/cgroup' */
  cgroupDir?: string;
  /** @defaultValue '/proc/meminfo' */
  meminfoPath?: string;
}

const MB = 1024 * 1024;

function readOptional(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** `MemAvailable` (kB) from /proc/meminfo, in MB; null when absent (old kernels, non-Linux). */
export function parseMemAvailableMb(meminfo: string): number | null {
  const match = /^MemAvailable:\s+(\d+)\s*kB$/m.exec(meminfo);
  return match?.[1] === undefined ? null : Number(match[1]) / 1024;
}

/**
 * Free memory left under this container's cgroup v2 limit, in MB; null outside a limited cgroup.
 * Uses the limit minus the working set (`memory.current` less reclaimable `inactive_file` page
 * cache, as the kubelet counts it): `memory.current` alone counts page cache the kernel drops
 * before it OOM-kills, which would make headroom look smaller than it is.
 */
export function cgroupFreeMb(cgroupDir: string): number | null {
  const max = readOptional(path.join(cgroupDir, 'memory.max'))?.trim();
  const current = readOptional(path.join(cgroupDir, 'memory.current'))?.trim();
  if (max === undefined || current === undefined || max === 'max') return null;
  const limit = Number(max);
  let used = Number(current);
  if (!Number.isFinite(limit) || !Number.isFinite(used)) return null;
  const stat = readOptional(path.join(cgroupDir, 'memory.stat'));
  const inactive = stat === null ? undefined : /^inactive_file (\d+)$/m.exec(stat)?.[1];
  if (inactive !== undefined) used = Math.max(0, used - Number(inactive));
  return Math.max(0, limit - used) / MB;
}

/**
 * The default probe: inside a memory-limited cgroup v2 container, the room left under its limit
 * (never more than the machine has: the host may be short before the container is); otherwise
 * `MemAvailable` (free plus reclaimable cache), falling back to `os.freemem()`.
 */
export function createFreeMemoryProbe(options: FreeMemoryProbeOptions = {}): FreeMemoryProbe {
  const cgroupDir = options.cgroupDir ?? '/sys/fs/cgroup';
  const meminfoPath = options.meminfoPath ?? '/proc/meminfo';
  return () => {
    const meminfo = readOptional(meminfoPath);
    const machine = (meminfo === null ? null : parseMemAvailableMb(meminfo)) ?? os.freemem() / MB;
    const container = cgroupFreeMb(cgroupDir);
    return container === null ? machine : Math.min(container, machine);
  };
}
