import type { ServiceStats } from '@openad-async/contracts';

import type { StatsResponse } from '../types';
import type { CliContext } from './cli-context';
import { EXIT, type ExitCode } from './exit-codes';
import { textTable } from './text-table';

/** `openad-async stats`: queues, outcomes, workers and models as tables (raw with --json). */
export async function statsCommand(ctx: CliContext, json: boolean): Promise<ExitCode> {
  const stats = await ctx.client.stats(ctx.signal);
  ctx.stdout.write(json ? `${JSON.stringify(stats, null, 2)}\n` : statsText(stats));
  return EXIT.OK;
}

export function statsText(stats: StatsResponse): string {
  const services: [string, ServiceStats][] = [
    ['property', stats.property_service],
    ['generation', stats.generation_service],
  ];
  const queues = textTable(
    [
      'QUEUE',
      'PENDING',
      'PROCESSING',
      'COMPLETED',
      'FAILED',
      'TIMEOUT',
      'CANCELED',
      'TOTAL',
      'WORKERS',
      'SLOTS',
    ],
    services.map(([name, s]) => [
      name,
      s.queue.queue_length,
      s.queue.processing_count,
      s.queue.status_counts.completed,
      s.queue.status_counts.failed,
      s.queue.status_counts.timeout,
      s.queue.status_counts.canceled,
      s.queue.total_requests,
      s.workers,
      s.queue.max_concurrent_requests,
    ]),
  );
  const priorities = textTable(
    ['QUEUE', 'CRITICAL', 'HIGH', 'NORMAL', 'LOW'],
    services.map(([name, s]) => [
      name,
      s.queue.priority_counts.CRITICAL,
      s.queue.priority_counts.HIGH,
      s.queue.priority_counts.NORMAL,
      s.queue.priority_counts.LOW,
    ]),
  );
  const modelRows = services.flatMap(([name, s]) =>
    Object.entries(s.models.models).map(([id, m]) => [
      name,
      id,
      m.is_loading ? 'loading' : 'loaded',
      m.size_mb,
      m.use_count,
      m.last_used,
    ]),
  );
  const models =
    modelRows.length === 0
      ? 'no models loaded\n'
      : textTable(['QUEUE', 'MODEL', 'STATE', 'SIZE MB', 'USES', 'LAST USED'], modelRows);
  const caches = textTable(
    ['QUEUE', 'LOADED', 'MEMORY MB', 'MAX MODELS', 'HITS', 'MISSES', 'EVICTIONS', 'LOAD FAILURES'],
    services.map(([name, s]) => [
      name,
      s.models.loaded_models,
      s.models.total_memory_mb,
      s.models.max_models,
      s.models.hits,
      s.models.misses,
      s.models.evictions,
      s.models.load_failures,
    ]),
  );
  return [
    'Requests\n',
    queues,
    '\nSubmitted by priority\n',
    priorities,
    '\nModel caches\n',
    caches,
    '\nModels\n',
    models,
  ].join('');
}
