// biome-ignore-all lint/suspicious/noTemplateCurlyInString: sweep placeholders are literal ${name} strings
import fc from "fast-check";
import { appRouter } from "../root.ts";
import { hostileFilter, hostileJson, hostileNumber, hostileString } from "./hostile-values.ts";

/**
 * A valid input for every tRPC procedure, and ways to spoil one, for the tests that feed every
 * procedure hostile input (routers/generated-input.test.ts).
 */
export type Json = unknown;
export type Fixture = {
  runId: string;
  queuedId: string;
  heldId: string;
  runnerId: string;
  tokenId: number;
  sweepId: string;
};
type Key = string | number;

export const command = { kind: "command", command: "true" };
export const capabilities = {
  hostname: "h",
  gpus: [{ index: 0, name: "g", memoryMb: 1000 }],
  backends: ["cpu"],
  cpus: 1,
  memoryMb: 1,
};

/** A sweep.yaml using every kind of parameter; its runs go to a queue no runner serves. */
export const sweepYaml = {
  name: "gen-sweep",
  method: "random",
  metric: { name: "loss", goal: "minimize", summary: "min" },
  parameters: {
    lr: { min: 0.0001, max: 0.1, distribution: "log_uniform_values" },
    bs: { values: [8, 16] },
    wd: { min: 0, max: 0.1, distribution: "q_uniform", q: 0.05 },
    timeout_seconds: { min: 10, max: 20 },
  },
  early_terminate: { type: "hyperband", min_iter: 1, eta: 3 },
  run_cap: 3,
  concurrency: 1,
  queue: "gen-sweeps",
  spec: { kind: "command", command: ["echo", "${lr}", "${bs}"], env: { WD: "${wd}" } },
};

/** A valid input for every procedure (subscriptions aside); the property test changes parts of it. */
const nest = (depth: number): Json => (depth === 0 ? 1 : [nest(depth - 1)]);

/** Tried at every field of every procedure: each of these once answered 500 somewhere (the
 * fast-check property covers the other shapes: empty text, fractions, booleans, arrays). */
export const SWEEP_VALUES: Json[] = [
  "a\u0000b",
  "\uD800",
  "k".repeat(257),
  "March 7",
  2 ** 31,
  2 ** 53,
  1e300,
  -1,
  null,
  { "a\u0000": 1 },
  nest(40),
];

export const BASES: Record<string, (f: Fixture) => Json> = {
  "projects.list": () => undefined,
  "projects.create": () => ({ slug: "gen-made", name: "Made" }),
  "runs.create": () => ({
    project: "gen",
    name: "r",
    group: "g",
    tags: ["t"],
    config: { a: { b: 1 } },
    notes: "n",
  }),
  "runs.get": (f) => ({ runId: f.runId }),
  "runs.list": () => ({
    project: "gen",
    filter: "config.a.b = 1",
    sort: { field: "createdAt", direction: "asc" },
    limit: 5,
  }),
  "runs.update": (f) => ({
    runId: f.runId,
    name: "n",
    tags: ["x"],
    notes: "n",
    setKeyValueTags: { k: "v" },
    startedAt: 1,
  }),
  "runs.finish": (f) => ({ runId: f.runId, status: "succeeded", error: "e", results: { acc: 1 } }),
  "runs.setResults": (f) => ({ runId: f.runId, results: { m: [1, 2] } }),
  "runs.events": (f) => ({ runId: f.runId }),
  "runs.cancel": (f) => ({ runId: f.queuedId, reason: "r" }),
  "runs.clone": (f) => ({ runId: f.queuedId, name: "c", specChanges: { env: { A: "1" } }, priority: 1 }),
  "metrics.log": (f) => ({
    runId: f.runId,
    points: [{ key: "loss", step: 1, value: 0.5, epoch: 1, time: 1 }],
    attempt: 1,
  }),
  "metrics.series": (f) => ({ runIds: [f.runId], keys: ["loss"], maxPoints: 10, stepMin: 0, stepMax: 10 }),
  "metrics.keys": (f) => ({ runIds: [f.runId] }),
  "metrics.attempts": (f) => ({ runId: f.runId }),
  "logs.append": (f) => ({
    runId: f.runId,
    batchId: "0b6c2a4e-7f1d-4c1e-9a51-3f7c2d9e8b10",
    lines: [{ stream: "stdout", text: "hi" }],
  }),
  "logs.tail": (f) => ({ runId: f.runId, afterSeq: 0, limit: 5, search: "h" }),
  "artifacts.list": (f) => ({ runId: f.runId, prefix: "a/" }),
  "datasets.list": () => ({ name: "shapes" }),
  "datasets.get": () => ({ name: "shapes", version: 1 }),
  "tokens.create": () => ({ name: "t", scope: "user", projects: [{ project: "gen", access: "read" }] }),
  "tokens.list": () => undefined,
  "tokens.revoke": (f) => ({ id: f.tokenId }),
  "tokens.whoami": () => undefined,
  "queue.enqueue": () => ({
    project: "gen",
    spec: command,
    requirements: { gpus: 0, minGpuMemoryMb: 10 },
    config: { x: 1 },
  }),
  "queue.list": () => ({ queue: "default", project: "gen", limit: 5 }),
  "runners.register": () => ({
    name: "gen-runner",
    capabilities,
    queues: ["default"],
    slots: [{ index: 0, gpuIndices: [0] }],
  }),
  "runners.claim": (f) => ({ runnerId: f.runnerId, slot: 0, waitMs: 0 }),
  "runners.heartbeat": (f) => ({ runnerId: f.runnerId, runIds: [f.heldId], gpus: [] }),
  "runners.report": (f) => ({
    runnerId: f.runnerId,
    runId: f.heldId,
    outcome: "failed",
    exitCode: 1,
    error: "e",
  }),
  "runners.stop": (f) => ({ runnerId: f.runnerId }),
  "runners.list": () => ({ includeOffline: true }),
  "sweeps.create": () => ({ project: "gen", config: sweepYaml }),
  "sweeps.get": (f) => ({ sweepId: f.sweepId }),
  "sweeps.list": () => ({ project: "gen", limit: 5 }),
  "sweeps.pause": (f) => ({ sweepId: f.sweepId }),
  "sweeps.resume": (f) => ({ sweepId: f.sweepId }),
  "sweeps.cancel": (f) => ({ sweepId: f.sweepId }),
};

const procedures = (
  appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: string } }> } }
)._def.procedures;
export const CALLABLE = Object.entries(procedures)
  .filter(([, p]) => p._def.type !== "subscription")
  .map(([path, p]) => ({ path, method: p._def.type as "query" | "mutation" }));

/** Every path to a value inside `value` (not the root itself). */
export function pathsOf(value: Json, prefix: Key[] = []): Key[][] {
  if (typeof value !== "object" || value === null) return [];
  const entries: [Key, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

export function replaceAt(value: Json, path: Key[], replacement: Json): Json {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [Key, ...Key[]];
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<Key, Json>;
  copy[head] = replaceAt(copy[head], rest, replacement);
  return copy;
}

/** The base input with one value replaced by a hostile one, or a hostile key added beside it. */
export function changed(base: Json): fc.Arbitrary<Json> {
  const paths = pathsOf(base);
  if (paths.length === 0) return fc.constant(base);
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...paths), fc.oneof(hostileJson, hostileString, hostileNumber))
      .map(([path, v]) => replaceAt(base, path, v)),
    fc.tuple(fc.constantFrom(...paths), hostileFilter).map(([path, v]) => replaceAt(base, path, v)),
    fc
      .tuple(
        fc.constantFrom([], ...paths.filter((p) => typeof p.at(-1) === "string")),
        hostileString,
        hostileJson,
      )
      .map(([path, key, v]) =>
        path.length === 0 ? { ...(base as object), [key]: v } : replaceAt(base, path, { [key]: v }),
      ),
    fc.tuple(fc.constantFrom(...paths), fc.constantFrom(...paths)).map(([a, b]) => {
      // Two hostile changes at once, so checks that run one after another are reached.
      return replaceAt(replaceAt(base, a, "a\u0000b"), b, 2 ** 53);
    }),
  );
}

/** What a client needs to learn from a 4xx: the message starts with the field (or the run's status). */
export function namesField(message: string, input: Json): boolean {
  const text = message.replace(/^Invalid input: /, "");
  const field = text.slice(0, text.indexOf(": "));
  const head = field.split(".")[0] ?? "";
  const keys = typeof input === "object" && input !== null ? Object.keys(input) : [];
  return text.includes(": ") && (keys.includes(head) || head === "status");
}
