export * from "./margin-logits.ts";
export * from "./pairs-file.ts";
export * from "./verification-metrics.ts";
