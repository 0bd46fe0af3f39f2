export type { ResultStore, StagedRecord } from './result-store';
export { FsResultStore, type FsResultStoreOptions } from './fs-result-store';
export { S3ResultStore, type S3ResultStoreOptions } from './s3-result-store';
export { DirectorySweeper, type SweeperOptions, type SweepResult } from './sweeper';
export { createResultStore, type CreateResultStoreOptions } from './create-result-store';
export { assertRequestId } from './request-id';
