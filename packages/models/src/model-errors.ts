/** Why a model run failed, in words a caller can act on; `code` is for machines and logs. */
export class ModelRunError extends Error {
  constructor(
    readonly code:
      'MODEL_LOAD_FAILED' | 'MODEL_FAILED' | 'MODEL_CRASHED' | 'NO_ROOM' | 'UNKNOWN_MODEL',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelRunError';
  }
}
