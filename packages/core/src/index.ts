export * from "./classification-metrics.ts";
export * from "./config-flatten.ts";
export * from "./downsample.ts";
export * from "./report-line.ts";
export * from "./run-filter.ts";
export * from "./run-state.ts";
export * from "./smoothing.ts";
export * from "./training-callbacks.ts";
