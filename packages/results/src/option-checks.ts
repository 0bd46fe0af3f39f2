/** Rejects NaN, infinities, zero and negatives, naming the store and option. */
export function positiveOption(value: number, store: string, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`${store} option ${name} must be a positive number, got ${value}`);
  }
  return value;
}
