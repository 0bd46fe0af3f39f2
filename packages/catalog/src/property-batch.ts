import type { PredictContext, PropertyRow } from '@openad-async/models';

import { EventLoopYield } from './event-loop-yield';

export type PropertyOutcome = { result: unknown } | { error: string };

/**
 * Runs a property model over a batch: `evaluate` computes every asked property of one subject
 * (so what they share is parsed once), the abort signal is checked between subjects (yielding to
 * the event loop now and then so that an abort message can arrive), progress is reported after
 * each. Rows come out property-major, as OpenAD services answer: outer loop over
 * properties, inner over subjects. A subject's error stays in its own rows.
 */
export async function propertyRows(
  subjects: readonly unknown[],
  properties: readonly string[],
  ctx: PredictContext,
  evaluate: (subject: unknown) => PropertyOutcome[],
): Promise<PropertyRow[]> {
  const outcomes: PropertyOutcome[][] = [];
  const loop = new EventLoopYield();
  for (const [i, subject] of subjects.entries()) {
    await loop.maybeYield();
    ctx.signal.throwIfAborted();
    outcomes.push(evaluate(subject));
    ctx.progress(i + 1, subjects.length);
  }
  return properties.flatMap((property, p) =>
    subjects.map((subject, s): PropertyRow => {
      const outcome = outcomes[s]?.[p] ?? { error: 'not computed' };
      return 'error' in outcome
        ? { subject, property, result: null, error: outcome.error }
        : { subject, property, result: outcome.result };
    }),
  );
}

/** Runs one property computation, turning a throw into that row's error. */
export function outcomeOf(compute: () => unknown): PropertyOutcome {
  try {
    return { result: compute() };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
