/**
 * True for a Node fs error with the given code (ENOENT, …). Structural, not `instanceof`:
 * errors from Node internals can come from another realm (Jest's sandbox, vm contexts).
 */
export function hasErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
