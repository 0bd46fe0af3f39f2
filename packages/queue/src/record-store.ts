import type { StatusRecord } from '@openad-async/contracts';

/** The part of a ResultStore this package needs; `@openad-async/results` implements it. */
export interface RecordStore {
  put(record: StatusRecord): Promise<StatusRecord>;
  get(requestId: string): Promise<StatusRecord | null>;
  /** See ResultStore.stage: durable but not readable until `commit`. Optional. */
  stage?(record: StatusRecord): Promise<StagedRecord>;
}

/** See ResultStore's StagedRecord. */
export interface StagedRecord {
  readonly record: StatusRecord;
  commit(): Promise<StatusRecord>;
  discard(): Promise<void>;
}
