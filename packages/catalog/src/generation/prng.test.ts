import { Random } from './prng';

describe('Random', () => {
  it('when two generators share a seed, then they give the same sequence', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
  });

  it('when many numbers are drawn, then they are uniform in [0, 1) and ints stay in range', () => {
    const r = new Random(7);
    const xs = Array.from({ length: 20000 }, () => r.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[r.int(3)]!++;
    counts.forEach((n) => expect(n).toBeGreaterThan(850));
  });

  it('when weights are given, then indices follow them and zero weights are never drawn', () => {
    const r = new Random(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[r.weightedIndex([1, 0, 3])]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.5);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.5);
  });

  it('when a list is shuffled, then it keeps its items', () => {
    const r = new Random(3);
    expect(r.shuffled([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
