import type { StatusRecord } from '@openad-async/contracts';

/** The part of a ResultStore this package needs; `@openad-async/results` implements it. */
export interface RecordStore {
  put(record: StatusRecord): Promise<StatusRecord>;
  get(requestId: string): Promise<StatusRecord | null>;
}
