import { z } from 'zod';

export const PRIORITY_NAMES = ['low', 'normal', 'high', 'critical'] as const;

/** A request priority as clients send it: any case, one of four names. */
export const PriorityName = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(PRIORITY_NAMES, { error: 'must be one of low, normal, high, critical' }))
  .describe('low, normal, high or critical, in any case');
export type PriorityName = (typeof PRIORITY_NAMES)[number];

/**
 * BullMQ priority per name. Lower runs first, and every job gets one: BullMQ runs jobs without
 * a priority before all prioritized ones, which would let an unset priority jump the queue.
 */
export const BULLMQ_PRIORITY: Readonly<Record<PriorityName, number>> = {
  critical: 1,
  high: 2,
  normal: 3,
  low: 4,
};

export function priorityFromBullmq(n: number | undefined): PriorityName {
  const found = PRIORITY_NAMES.find((name) => BULLMQ_PRIORITY[name] === n);
  return found ?? 'normal';
}
