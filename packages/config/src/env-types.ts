import { z } from 'zod';

/** Env values are strings; an empty one means "not set", as in most shells' `VAR=`. */
const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export function envInt(opts: { min: number; max?: number }) {
  const rule =
    opts.max === undefined
      ? `must be a whole number >= ${opts.min}`
      : `must be a whole number from ${opts.min} to ${opts.max}`;
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\s*-?\d+\s*$/, rule)
      .transform(Number)
      .pipe(
        z
          .number()
          .min(opts.min, rule)
          .max(opts.max ?? Number.MAX_SAFE_INTEGER, rule),
      )
      .optional(),
  );
}

export function envNumber(opts: { min: number; exclusiveMin?: boolean }) {
  const rule = `must be a number ${opts.exclusiveMin ? '>' : '>='} ${opts.min}`;
  const n = z.number();
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\s*-?\d+(\.\d+)?\s*$/, rule)
      .transform(Number)
      .pipe(opts.exclusiveMin ? n.gt(opts.min, rule) : n.min(opts.min, rule))
      .optional(),
  );
}

/** A number, or "none" for no limit (the spec's `None` defaults). */
export function envOptionalLimit(opts: { min: number }) {
  const rule = `must be a number > ${opts.min}, or "none"`;
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^\s*(none|null|\d+(\.\d+)?)\s*$/i, rule)
      .transform((s) => (/^\s*(none|null)\s*$/i.test(s) ? null : Number(s)))
      .pipe(z.number().gt(opts.min, rule).nullable())
      .optional(),
  );
}

export function envBool() {
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^(true|false|1|0|yes|no)$/i, 'must be true or false')
      .transform((s) => /^(true|1|yes)$/i.test(s))
      .optional(),
  );
}

export function envString(rule?: { pattern: RegExp; message: string }) {
  const s = rule ? z.string().regex(rule.pattern, rule.message) : z.string();
  return z.preprocess(unsetIfEmpty, s.optional());
}

export function envEnum<const T extends readonly [string, ...string[]]>(
  values: T,
  aliases: Record<string, T[number]> = {},
) {
  const accepted = [...values, ...Object.keys(aliases)];
  const rule = `must be one of ${accepted.join(', ')}`;
  return z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .transform((s) => s.trim().toLowerCase())
      .refine((s) => accepted.includes(s), rule)
      .transform((s) => (aliases[s] ?? s) as T[number])
      .optional(),
  );
}

/** A comma-separated list; blanks dropped. */
export function envList(item?: { pattern: RegExp; message: string }) {
  const list = z.string().transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  );
  return z.preprocess(
    unsetIfEmpty,
    (item ? list.pipe(z.array(z.string().regex(item.pattern, item.message))) : list).optional(),
  );
}
