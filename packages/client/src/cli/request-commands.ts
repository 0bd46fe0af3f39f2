import type { StatusObject } from '@openad-async/contracts';

import { ApiConflictError } from '../errors';
import type { CliContext } from './cli-context';
import { EXIT, type ExitCode } from './exit-codes';
import { ProgressBar } from './progress-bar';

/** `openad-async status ID`: the status object as JSON; exit 0 whatever its state. */
export async function statusCommand(ctx: CliContext, id: string): Promise<ExitCode> {
  const record = await ctx.client.status(id, ctx.signal);
  ctx.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
  return EXIT.OK;
}

/**
 * `openad-async wait ID`: progress on stderr, the terminal status object on stdout; exit 0 when
 * it completed, 6 when it failed, timed out or was canceled. Ctrl-C stops waiting only: the
 * request was not submitted by this run, so it is left alone.
 */
export async function waitCommand(ctx: CliContext, id: string): Promise<ExitCode> {
  const bar = ctx.quiet ? null : new ProgressBar({ stream: ctx.stderr, unit: 'steps' });
  let record: StatusObject;
  try {
    record = await ctx.client.wait(id, {
      signal: ctx.signal,
      onUpdate: (e) => {
        if (e.type === 'status') bar?.log(`${id}: ${e.record.status}`);
        else
          bar?.update({
            requestsDone: 0,
            requestsTotal: 1,
            unitsDone: e.progress.done,
            unitsTotal: e.progress.total,
          });
      },
    });
  } catch (err) {
    if (ctx.signal.aborted) return EXIT.INTERRUPTED;
    throw err;
  } finally {
    bar?.finish();
  }
  ctx.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
  return record.status === 'completed' ? EXIT.OK : EXIT.NOT_COMPLETED;
}

/** `openad-async cancel ID`: exit 0 when canceled or being stopped, 3 when already finished. */
export async function cancelCommand(ctx: CliContext, id: string): Promise<ExitCode> {
  try {
    const result = await ctx.client.cancel(id, ctx.signal);
    ctx.stdout.write(
      result.outcome === 'canceled'
        ? `${id}: canceled\n`
        : `${id}: cancel requested; the request is being stopped\n`,
    );
    return EXIT.OK;
  } catch (err) {
    if (err instanceof ApiConflictError) {
      const status = (err.detail as { status?: string } | undefined)?.status;
      ctx.stderr.write(`${id}: already finished${status ? ` (${status})` : ''}\n`);
      return EXIT.REJECTED;
    }
    throw err;
  }
}
