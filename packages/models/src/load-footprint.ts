/**
 * Memory a model host thread holds once its model is loaded, as measured from inside the thread.
 * All figures are MB.
 */
export interface LoadFootprint {
  /** The thread's own V8 heap in use after `load()` (per isolate in a worker). */
  heapUsedMb: number;
  /** Memory outside the heap that V8 tracks for the thread: ArrayBuffers, wasm memories. */
  externalMb: number;
  /** Process RSS when the thread started, before the model module was imported. */
  rssBeforeMb: number;
  /** Process RSS after `load()`. */
  rssAfterMb: number;
}

const MB = 1024 * 1024;

/** Reads the figures of `LoadFootprint` in the calling thread; `rssBeforeMb` comes from earlier. */
export function measureFootprint(rssBeforeMb: number): LoadFootprint {
  const usage = process.memoryUsage();
  return {
    heapUsedMb: usage.heapUsed / MB,
    externalMb: usage.external / MB,
    rssBeforeMb,
    rssAfterMb: usage.rss / MB,
  };
}

/**
 * The size the manager counts for a loaded model: the larger of two estimates.
 *
 * - V8: heap used plus external memory of the thread's isolate after `load()`. It is the whole
 *   thread, not a delta (module code, weights, and the ~5-8 MB a fresh isolate starts with), since
 *   unloading ends the whole thread. Overestimates by garbage `load()` left uncollected (no forced
 *   GC in a worker: up to the young generation plus old-generation slack, typically under 10-30%);
 *   blind to native memory of addons (e.g. onnxruntime-node) that V8 does not track.
 * - RSS delta over `load()`: sees native allocations, but RSS is per process, so it also counts
 *   whatever the main thread and other hosts allocated meanwhile (overestimate under parallel
 *   loads), and misses pages the allocator reused from memory freed earlier (underestimate).
 *   It also lags for untouched buffers (zero pages are not resident until written).
 *
 * Neither is exact; the larger is the safer one to hold against limits. Error: typically within
 * ±10-30% of the true retained size, worse for tiny models (isolate baseline dominates).
 */
export function footprintMb(footprint: LoadFootprint): number {
  const v8 = footprint.heapUsedMb + footprint.externalMb;
  const rss = footprint.rssAfterMb - footprint.rssBeforeMb;
  return Math.max(v8, rss);
}
