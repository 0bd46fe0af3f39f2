import type { ServiceDefinition } from '@openad-async/contracts';

import type { CliContext } from './cli-context';
import { EXIT, type ExitCode } from './exit-codes';
import { clip, textTable } from './text-table';

/** `openad-async services`: the service table (or the definitions as JSON with --json). */
export async function servicesCommand(ctx: CliContext, json: boolean): Promise<ExitCode> {
  const defs = await ctx.client.services({ signal: ctx.signal });
  ctx.stdout.write(json ? `${JSON.stringify(defs, null, 2)}\n` : servicesTable(defs));
  return EXIT.OK;
}

export function servicesTable(defs: readonly ServiceDefinition[]): string {
  if (defs.length === 0) return 'no services registered\n';
  return textTable(
    ['SERVICE', 'TYPE', 'SUBJECT', 'PROPERTIES / GENERATES', 'PARAMETERS'],
    defs.map((d) => [
      d.service_name,
      d.service_type,
      d.subject ?? (d.category === 'generation' ? '(target)' : '-'),
      clip(d.valid_types.join(','), 60),
      clip(Object.keys(d.parameters).join(',') || '-', 40),
    ]),
  );
}
