export * from "./artifact.ts";
export * from "./common.ts";
export * from "./live.ts";
export * from "./log.ts";
export * from "./metric.ts";
export * from "./project.ts";
export * from "./run.ts";
export * from "./token.ts";
