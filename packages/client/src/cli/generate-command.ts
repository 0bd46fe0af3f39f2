import type { CliContext } from './cli-context';
import { UsageError } from './cli-context';
import { EXIT, type ExitCode } from './exit-codes';
import { RecordWriter, outputFormatOf } from './output-writer';
import { ProgressBar } from './progress-bar';
import { SubmittedRequests } from './submitted-requests';
import { RequestEndedError } from '../errors';

export interface GenerateArgs {
  service: string;
  sampleSize?: number;
  targets: unknown[];
  parameters: Record<string, unknown>;
  output?: string;
  format?: string;
}

/**
 * `openad-async generate`: one generation request, its progress (step k of n) on stderr, the
 * generated records as CSV or JSON lines. Ctrl-C cancels the request.
 */
export async function generateCommand(ctx: CliContext, a: GenerateArgs): Promise<ExitCode> {
  let format;
  try {
    format = outputFormatOf(a.output, a.format);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const id = await ctx.client.submitGeneration({
    service: a.service,
    targets: a.targets,
    parameters: a.parameters,
    ...(a.sampleSize === undefined ? {} : { sampleSize: a.sampleSize }),
    ...(ctx.priority ? { priority: ctx.priority } : {}),
    ...(ctx.timeoutSeconds ? { timeoutSeconds: ctx.timeoutSeconds } : {}),
  });
  const submitted = new SubmittedRequests(ctx.client);
  submitted.add(id);
  const bar = ctx.quiet ? null : new ProgressBar({ stream: ctx.stderr, unit: 'steps' });
  bar?.log(`request ${id} submitted`);
  let record;
  try {
    record = await ctx.client.wait(id, {
      signal: ctx.signal,
      onUpdate: (e) => {
        if (e.type === 'progress') {
          bar?.update({
            requestsDone: 0,
            requestsTotal: 1,
            unitsDone: e.progress.done,
            unitsTotal: e.progress.total,
          });
        }
      },
    });
  } catch (err) {
    if (!ctx.signal.aborted) throw err;
    const canceled = await submitted.cancelUnfinished();
    bar?.log(canceled ? `canceled request ${id}` : `request ${id} had already finished`);
    return EXIT.INTERRUPTED;
  } finally {
    bar?.finish();
  }
  if (record.status !== 'completed') throw new RequestEndedError(record);
  const records = Array.isArray(record.result)
    ? (record.result as unknown[]).map((r) =>
        r !== null && typeof r === 'object' ? (r as Record<string, unknown>) : { value: r },
      )
    : [];
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const writer = RecordWriter.open(a.output, format, columns, ctx.stdout);
  await writer.write(records);
  await writer.close();
  if (!ctx.quiet) ctx.stderr.write(`${records.length} records generated\n`);
  return EXIT.OK;
}
