import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

import type { Logger } from '@openad-async/telemetry';

import type { HostToMain, HostWorkerData, MainToHost } from './host-protocol';
import { fromWireError } from './host-protocol';
import { footprintMb } from './load-footprint';
import type { GenerationRecord, PredictInput, PropertyRow } from './model-definition';
import { ModelRunError } from './model-errors';
import type { LoadedHandle } from './resource-manager-options';
import { errorMessage } from './signals';

export type ModelOutput = PropertyRow[] | GenerationRecord[];

export interface ModelHostOptions {
  /** Absolute path of the model module (as `loadModelModules` resolves it). */
  modulePath: string;
  modelId: string;
  logger: Logger;
  /**
   * Time a run has to stop after its abort is forwarded, ms; past it the thread is terminated
   * (a model stuck in synchronous code never sees the abort). @defaultValue 1500
   */
  abortGraceMs?: number;
  /** V8 old-generation cap of the thread, MB (`resourceLimits`); null = Node's default. @defaultValue null */
  maxOldGenerationSizeMb?: number | null;
  /** Least time between two progress messages of one run, ms. @defaultValue 100 */
  progressIntervalMs?: number;
  /** Thread entry script. @defaultValue resolveHostThreadPath() */
  threadPath?: string;
  /** Called once when the thread has ended, for whatever reason (crash, kill, unload). */
  onEnd?(host: ModelHost): void;
}

export interface PredictOptions {
  signal: AbortSignal;
  onProgress?(done: number, total: number): void;
}

interface Run {
  resolve(output: ModelOutput): void;
  reject(error: unknown): void;
  signal: AbortSignal;
  onAbort(): void;
  onProgress?: (done: number, total: number) => void;
  graceTimer?: NodeJS.Timeout;
}

/**
 * The compiled thread entry. Next to this file when running from dist; under jest the sources run
 * from src/ through swc, and a thread needs JS, so the build output in ../dist is used instead.
 */
export function resolveHostThreadPath(): string {
  const candidates = [
    path.join(__dirname, 'host-thread.js'),
    path.join(__dirname, '..', 'dist', 'host-thread.js'),
  ];
  const found = candidates.find((file) => existsSync(file));
  if (found === undefined) {
    throw new Error(`host-thread.js not found (${candidates.join(', ')}): build packages/models`);
  }
  return found;
}

/**
 * One loaded model in its own worker_thread. The main thread only passes messages, so model code
 * never blocks the worker's event loop. Owns the thread: `unload()` ends it; a crash, an
 * out-of-memory kill or an ignored abort ends it too, and fails only the runs on this host.
 */
export class ModelHost implements LoadedHandle {
  /** Set once loaded; see `footprintMb` for how it is measured and how far off it can be. */
  measuredSizeMb: number | null = null;
  private readonly worker: Worker;
  private state: 'loading' | 'ready' | 'unloading' | 'ended' = 'loading';
  private readonly runs = new Map<number, Run>();
  private nextRunId = 0;
  /** Why the thread ends when this side ends it; null = it ended on its own (a crash). */
  private endingBecause: string | null = null;
  private ignoredAbort = false;
  private readonly loaded: Promise<void>;
  /** Resolves once the thread has fully exited, however it ended. */
  readonly exited: Promise<void>;
  private settleLoad: { resolve(): void; reject(error: Error): void } | null = null;
  private onUnloaded: (() => void) | null = null;
  private readonly abortGraceMs: number;
  private readonly logger: Logger;

  /** Starts the thread and resolves once the model has loaded; `signal` abandons the load. */
  static async start(options: ModelHostOptions, signal?: AbortSignal): Promise<ModelHost> {
    signal?.throwIfAborted();
    const host = new ModelHost(options);
    const onAbort = (): void => void host.end('the load was abandoned');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await host.loaded;
    } catch (error) {
      // No thread outlives a failed start.
      await host.end('its load failed');
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return host;
  }

  private constructor(private readonly options: ModelHostOptions) {
    this.abortGraceMs = options.abortGraceMs ?? 1500;
    this.logger = options.logger.child({ model_id: options.modelId });
    const workerData: HostWorkerData = {
      modulePath: options.modulePath,
      modelId: options.modelId,
      progressIntervalMs: options.progressIntervalMs ?? 100,
    };
    const maxOld = options.maxOldGenerationSizeMb ?? null;
    this.worker = new Worker(options.threadPath ?? resolveHostThreadPath(), {
      workerData,
      ...(maxOld === null ? {} : { resourceLimits: { maxOldGenerationSizeMb: maxOld } }),
    });
    this.loaded = new Promise<void>((resolve, reject) => {
      this.settleLoad = { resolve, reject };
    });
    this.loaded.catch(() => undefined); // start() reports it; a crash later must not be unhandled
    this.exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (message: HostToMain) => this.onMessage(message));
    this.worker.on('error', (error) => this.onCrash(error));
    this.worker.on('exit', (code) => this.onCrash(null, code));
  }

  get modelId(): string {
    return this.options.modelId;
  }

  /** True once the thread was ended because a run ignored its abort (its other runs died too). */
  get endedByIgnoredAbort(): boolean {
    return this.ignoredAbort;
  }

  /** Whether the thread still serves runs. */
  get alive(): boolean {
    return this.state === 'ready';
  }

  /**
   * Runs `predict` in the thread. Rejects with MODEL_FAILED (the model threw), MODEL_CRASHED (the
   * thread died), or `signal.reason` once aborted — after the model stopped, or after its thread
   * was terminated when it did not stop within the grace period.
   */
  predict(input: PredictInput<unknown>, options: PredictOptions): Promise<ModelOutput> {
    const { signal } = options;
    if (this.state !== 'ready') {
      return Promise.reject(
        new ModelRunError('MODEL_CRASHED', `Model "${this.modelId}" is no longer running`),
      );
    }
    if (signal.aborted) return Promise.reject(signal.reason as unknown);
    this.nextRunId += 1;
    const runId = this.nextRunId;
    return new Promise<ModelOutput>((resolve, reject) => {
      const run: Run = {
        resolve,
        reject,
        signal,
        onProgress: options.onProgress,
        onAbort: () => this.forwardAbort(runId, run),
      };
      this.runs.set(runId, run);
      signal.addEventListener('abort', run.onAbort, { once: true });
      try {
        this.send({ type: 'predict', runId, input });
      } catch (error) {
        this.settle(runId, (r) =>
          r.reject(
            new ModelRunError(
              'MODEL_FAILED',
              `Input cannot be sent to the model: ${errorMessage(error)}`,
            ),
          ),
        );
      }
    });
  }

  /** Lets the model free what it holds (`unload()`, within the grace period), then ends the thread. */
  async unload(): Promise<void> {
    if (this.state === 'ready') {
      this.state = 'unloading';
      const unloaded = new Promise<void>((resolve) => {
        this.onUnloaded = resolve;
      });
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.abortGraceMs);
      });
      this.send({ type: 'unload' });
      await Promise.race([unloaded, grace, this.exited]);
      clearTimeout(timer);
    }
    await this.end('it was unloaded');
  }

  /** Ends the thread now; pending runs fail with `because`. */
  private async end(because: string): Promise<void> {
    if (this.state !== 'ended') {
      this.endingBecause ??= because;
      this.settleLoad?.reject(new Error(`Model "${this.modelId}" load stopped: ${because}`));
      this.finish(
        `Model "${this.modelId}" was stopped while this run was in progress: ${this.endingBecause}`,
      );
    }
    await this.worker.terminate();
    await this.exited;
  }

  private send(message: MainToHost): void {
    this.worker.postMessage(message);
  }

  private forwardAbort(runId: number, run: Run): void {
    this.send({ type: 'abort', runId, reason: errorMessage(run.signal.reason) });
    run.graceTimer = setTimeout(() => {
      this.logger.warn('model ignored abort; terminating its thread', {
        grace_ms: this.abortGraceMs,
      });
      this.ignoredAbort = true;
      void this.end(`another run of model "${this.modelId}" ignored an abort`);
    }, this.abortGraceMs);
  }

  private onMessage(message: HostToMain): void {
    switch (message.type) {
      case 'loaded':
        if (this.state !== 'loading') return; // abandoned meanwhile
        this.measuredSizeMb = footprintMb(message.footprint);
        this.state = 'ready';
        this.settleLoad?.resolve();
        this.logger.debug('model host ready', { footprint: message.footprint });
        return;
      case 'load_failed':
        this.endingBecause = 'its load failed';
        this.settleLoad?.reject(fromWireError(message.error));
        void this.end(this.endingBecause);
        return;
      case 'progress': {
        const run = this.runs.get(message.runId);
        try {
          run?.onProgress?.(message.done, message.total);
        } catch (error) {
          this.logger.warn('progress callback threw', { err: error });
        }
        return;
      }
      case 'result':
        this.settle(message.runId, (run) => run.resolve(message.output));
        return;
      case 'failed': {
        const cause = fromWireError(message.error);
        this.settle(message.runId, (run) =>
          run.reject(new ModelRunError('MODEL_FAILED', cause.message, { cause })),
        );
        return;
      }
      case 'unloaded':
        if (message.error !== undefined) {
          this.logger.warn('model unload failed', { err: fromWireError(message.error) });
        }
        this.onUnloaded?.();
        return;
    }
  }

  /** The thread died on its own (uncaught error, out of memory, exit) — or its exit after `end`. */
  private onCrash(error: Error | null, exitCode?: number): void {
    if (this.state === 'ended') return;
    const oom = (error as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    const limit = this.options.maxOldGenerationSizeMb ?? 'default';
    const what = oom
      ? `ran out of memory (thread heap limit ${limit} MB)`
      : error !== null
        ? `crashed: ${error.message}`
        : `exited unexpectedly with code ${exitCode ?? 'unknown'}`;
    const message = `Model "${this.modelId}" ${what}; it was unloaded and will load again on next use`;
    this.logger.error('model host crashed', { oom, exit_code: exitCode, err: error ?? undefined });
    this.settleLoad?.reject(new Error(`Model host thread ${what}`));
    this.finish(message);
  }

  /** Marks the host ended, fails every pending run (aborted ones with their reason), tells the owner. */
  private finish(message: string): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.settleLoad?.reject(new Error(message));
    for (const runId of [...this.runs.keys()]) {
      this.settle(runId, (run) => run.reject(new ModelRunError('MODEL_CRASHED', message)));
    }
    this.onUnloaded?.();
    this.options.onEnd?.(this);
  }

  /** Ends one run; an aborted run always rejects with its signal's reason. */
  private settle(runId: number, outcome: (run: Run) => void): void {
    const run = this.runs.get(runId);
    if (run === undefined) return;
    this.runs.delete(runId);
    clearTimeout(run.graceTimer);
    run.signal.removeEventListener('abort', run.onAbort);
    if (run.signal.aborted) run.reject(run.signal.reason as unknown);
    else outcome(run);
  }
}
