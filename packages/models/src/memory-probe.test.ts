import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { cgroupFreeMb, createFreeMemoryProbe, parseMemAvailableMb } from './memory-probe';

const MB = 1024 * 1024;

describe('free memory probe', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'memory-probe-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const meminfo = (availableMb: number): string =>
    write(
      'meminfo',
      `MemTotal: 99999999 kB\nMemFree: 1 kB\nMemAvailable: ${availableMb * 1024} kB\n`,
    );

  it('when the cgroup has a limit, then free = limit - working set (current less inactive file cache)', () => {
    write('memory.max', `${2048 * MB}\n`);
    write('memory.current', `${1024 * MB}\n`);
    write('memory.stat', `anon 1\ninactive_file ${256 * MB}\nactive_file 5\n`);
    expect(cgroupFreeMb(dir)).toBe(1280);
    const probe = createFreeMemoryProbe({ cgroupDir: dir, meminfoPath: meminfo(8000) });
    expect(probe()).toBe(1280);
  });

  it('when the machine has less available than the container limit allows, then the machine figure counts', () => {
    write('memory.max', `${4096 * MB}\n`);
    write('memory.current', '0\n');
    expect(createFreeMemoryProbe({ cgroupDir: dir, meminfoPath: meminfo(500) })()).toBe(500);
  });

  it('when memory.max is "max" or absent, then MemAvailable is used', () => {
    write('memory.max', 'max\n');
    write('memory.current', `${MB}\n`);
    expect(cgroupFreeMb(dir)).toBeNull();
    expect(createFreeMemoryProbe({ cgroupDir: dir, meminfoPath: meminfo(3000) })()).toBe(3000);
    expect(cgroupFreeMb(path.join(dir, 'missing'))).toBeNull();
  });

  it('when /proc/meminfo is unreadable, then os.freemem() is the fallback', () => {
    const probe = createFreeMemoryProbe({
      cgroupDir: path.join(dir, 'none'),
      meminfoPath: path.join(dir, 'none'),
    });
    expect(probe()).toBeGreaterThan(0);
    expect(parseMemAvailableMb('MemFree: 10 kB\n')).toBeNull();
  });
});
