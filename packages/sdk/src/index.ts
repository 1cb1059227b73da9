export { downloadArtifact, LabtrackHttpError, uploadArtifact } from "./artifact-transfer.ts";
export { createClient, type LabtrackClient, type Run, type RunHandle } from "./client.ts";
export {
  downloadDatasetTo,
  listDatasetFiles,
  packDatasetFolder,
  pushDataset,
} from "./dataset-transfer.ts";
export { MetricBatcher } from "./metric-batcher.ts";
export { DiskSpool, type DiskSpoolOptions } from "./spool/disk-spool.ts";
export { type ClientOptions, createTrpcClient, type LabtrackTRPCClient } from "./trpc-client.ts";
