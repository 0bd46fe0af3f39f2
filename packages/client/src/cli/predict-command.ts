import { sleep } from '../abortable-sleep';
import { ApiNetworkError, ApiRetryLaterError } from '../errors';
import type { CliContext } from './cli-context';
import { UsageError } from './cli-context';
import { EXIT, type ExitCode } from './exit-codes';
import { chunk, inputFormatOf, parseInput, type InputRow } from './input-parsing';
import { InOrder, RecordWriter, outputFormatOf } from './output-writer';
import { failAll, joinResult, type PredictionRow } from './prediction-rows';
import { ProgressBar } from './progress-bar';
import { readLines } from './read-lines';
import { SubmittedRequests } from './submitted-requests';

export interface PredictArgs {
  service: string;
  properties: string[];
  /** A path, or '-' for stdin. */
  input: string;
  inputFormat?: string;
  /** CSV/TSV: the subject column. */
  column?: string;
  /** Subjects per request. */
  batchSize: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** A path; stdout when undefined or '-'. */
  output?: string;
  format?: string;
  parameters: Record<string, unknown>;
}

/** Attempts at one submission while the service is full or briefly unreachable. */
const SUBMIT_ATTEMPTS = 10;

/**
 * `openad-async predict`: reads subjects, submits them in requests of `batchSize` with at most
 * `concurrency` in flight, and writes one row per subject, in input order, as requests finish.
 * A subject the model rejects, or a request that fails, gives rows with an `error`, never
 * missing rows. A failure that would hit every request (validation, auth, service down)
 * stops the run; Ctrl-C too; both cancel what was submitted and has not finished.
 */
export async function predictCommand(ctx: CliContext, a: PredictArgs): Promise<ExitCode> {
  const rows = parseInput(
    await readLines(a.input, ctx.stdin),
    inputFormatOf(a.input, a.inputFormat),
    a.column,
  );
  if (rows.length === 0)
    throw new UsageError(`no subjects in ${a.input === '-' ? 'stdin' : a.input}`);
  let format;
  try {
    format = outputFormatOf(a.output, a.format);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const withName = rows.some((r) => r.name !== undefined);
  const columns = ['row', 'subject', ...(withName ? ['name'] : []), ...a.properties, 'error'];
  const writer = RecordWriter.open(a.output, format, columns, ctx.stdout);
  const pieces = chunk(rows, a.batchSize);
  const bar = ctx.quiet ? null : new ProgressBar({ stream: ctx.stderr });
  const progress = new Map<number, number>();
  let requestsDone = 0;
  let unitsDone = 0;
  let failedRows = 0;
  const draw = (force = false) =>
    bar?.update(
      {
        requestsDone,
        requestsTotal: pieces.length,
        unitsDone: unitsDone + [...progress.values()].reduce((s, n) => s + n, 0),
        unitsTotal: rows.length,
      },
      force,
    );
  const ordered = new InOrder<PredictionRow[]>(async (piece) => {
    failedRows += piece.filter((r) => r.error !== undefined).length;
    await writer.write(piece.map((r) => toRecord(r, withName)));
  });

  // Stops the run: Ctrl-C (the context's signal) or a failure that would hit every request.
  const stop = new AbortController();
  const onInterrupt = () => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onInterrupt, { once: true });
  const submitted = new SubmittedRequests(ctx.client);
  let fatal: unknown;
  let next = 0;

  const runOne = async (index: number, inputs: InputRow[]): Promise<void> => {
    const id = await submitWithRetry(ctx, a, inputs, stop.signal);
    submitted.add(id);
    // A stop that came while the POST was in flight: the request exists, so cancel it.
    stop.signal.throwIfAborted();
    const record = await ctx.client.wait(id, {
      signal: stop.signal,
      onUpdate: (e) => {
        if (e.type === 'progress') {
          progress.set(index, Math.min(e.progress.done, inputs.length));
          draw();
        }
      },
    });
    submitted.finished(id);
    progress.delete(index);
    const out =
      record.status === 'completed'
        ? joinResult(inputs, a.properties, record.result)
        : failAll(
            inputs,
            `request ${id} ended ${record.status}: ${record.error ?? 'no reason given'}`,
          );
    requestsDone += 1;
    unitsDone += inputs.length;
    draw(requestsDone === pieces.length);
    await ordered.put(index, out);
  };

  const lane = async (): Promise<void> => {
    while (!stop.signal.aborted && next < pieces.length) {
      const index = next;
      next += 1;
      try {
        await runOne(index, pieces[index] ?? []);
      } catch (err) {
        if (stop.signal.aborted) return;
        fatal = err;
        stop.abort(err);
      }
    }
  };

  draw(true);
  try {
    await Promise.all(Array.from({ length: Math.min(a.concurrency, pieces.length) }, lane));
  } finally {
    ctx.signal.removeEventListener('abort', onInterrupt);
    if (stop.signal.aborted) {
      const canceled = await submitted.cancelUnfinished();
      if (canceled > 0) bar?.log(`canceled ${canceled} unfinished request(s)`);
    }
    bar?.finish();
    await writer.close();
  }
  if (ctx.signal.aborted) return EXIT.INTERRUPTED;
  if (fatal !== undefined) throw fatal;
  const where = a.output && a.output !== '-' ? a.output : 'stdout';
  if (!ctx.quiet || failedRows > 0) {
    ctx.stderr.write(
      `${rows.length} rows written to ${where}` +
        (failedRows > 0 ? `; ${failedRows} with an error (see the error column)\n` : '\n'),
    );
  }
  return failedRows > 0 ? EXIT.PARTIAL : EXIT.OK;
}

async function submitWithRetry(
  ctx: CliContext,
  a: PredictArgs,
  inputs: InputRow[],
  signal: AbortSignal,
): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    signal.throwIfAborted();
    try {
      // No signal on the POST itself: an aborted POST may still have been accepted, and an
      // id we never learn is a request we cannot cancel.
      return await ctx.client.submitProperty({
        service: a.service,
        properties: a.properties,
        subjects: inputs.map((r) => r.subject),
        parameters: a.parameters,
        ...(ctx.priority ? { priority: ctx.priority } : {}),
        ...(ctx.timeoutSeconds ? { timeoutSeconds: ctx.timeoutSeconds } : {}),
      });
    } catch (err) {
      const transient = err instanceof ApiRetryLaterError || err instanceof ApiNetworkError;
      if (!transient || attempt >= SUBMIT_ATTEMPTS) throw err;
      const wait =
        err instanceof ApiRetryLaterError
          ? err.retryAfterSeconds * 1000
          : Math.min(8000, 250 * 2 ** attempt);
      await sleep(wait, signal);
    }
  }
}

function toRecord(r: PredictionRow, withName: boolean): Record<string, unknown> {
  return {
    row: r.input.row,
    subject: r.input.subject,
    ...(withName ? { name: r.input.name ?? '' } : {}),
    ...r.values,
    error: r.error ?? null,
  };
}
