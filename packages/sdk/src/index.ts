export { downloadArtifact, LabtrackHttpError, uploadArtifact } from "./artifact-transfer.ts";
export {
  createClient,
  DEFAULT_SPOOL_DIR,
  type LabtrackClient,
  type MetricDelivery,
  type Run,
  type RunHandle,
} from "./client.ts";
export {
  downloadDatasetTo,
  listDatasetFiles,
  packDatasetFolder,
  pushDataset,
} from "./dataset-transfer.ts";
export {
  CsvLogReader,
  EventFileReader,
  eventFileBytes,
  LogFilesTail,
  metricKeyFor,
  RecordChecksumError,
  type ScalarEvent,
  scalarRecord,
  type WatchRoot,
  watchRootOf,
} from "./logfiles/index.ts";
export { MetricOutbox, type MetricOutboxOptions, type MetricOutboxStats } from "./metric-outbox.ts";
export {
  classifySendFailure,
  SERVER_ERROR_TRIES,
  type SendFailure,
  shouldRetrySend,
} from "./send-failure.ts";
export { DiskSpool, type DiskSpoolOptions } from "./spool/disk-spool.ts";
export { type ClientOptions, createTrpcClient, type LabtrackTRPCClient } from "./trpc-client.ts";
