export * from "./asha.ts";
export * from "./best-so-far.ts";
export * from "./forest-importance.ts";
export * from "./parameter-importance.ts";
export * from "./seeded-random.ts";
export * from "./sweep-run-spec.ts";
export * from "./sweep-space.ts";
export * from "./tpe-sampler.ts";
