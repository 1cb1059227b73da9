// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are template placeholders, not JS templates.
import { amqpBridgeConfig, DEFAULT_RESULT_TEMPLATE } from "@labtrack/schemas";
import { describe, expect, it } from "vitest";
import {
  bridgedRunRequest,
  bridgeNameOf,
  checkBridgeTemplates,
  deadLetterQueueOf,
  messageIdOf,
  messageRunFilter,
  parseMessageBody,
  resultMessageFor,
  resultMessageId,
  storedMessageOf,
  trainingStatusOf,
  unpublishedRunsFilter,
} from "./amqp-message-mapping.ts";
import { parseRunFilter } from "./run-filter.ts";

/** Seed 000's input message. */
const seedMessage = {
  batchId: "batch_20251115_001",
  totalImages: 9000,
  categories: ["carros", "moedas", "animais"],
  augmentationCount: 9,
  datasetPath: "training/carros/",
  targetClasses: 50,
  createdAt: "2025-11-15T10:00:00Z",
};

const config = amqpBridgeConfig.parse({
  run: {
    project: "ocolecionador",
    name: "${message.batchId}",
    tags: ["amqp", "${message.categories.0}"],
    config: { total_images: "${message.totalImages}", categories: "${message.categories}" },
    spec: {
      kind: "image-classifier",
      data: { path: "dataset:${message.datasetPath}" },
      model: { backbone: "mobilenet_v2" },
    },
  },
});

const bytes = (text: string) => new TextEncoder().encode(text);

describe("the AMQP bridge's message mapping", () => {
  it("defaults to seed 000's queues, id field and a dead-letter queue beside the input", () => {
    expect(config.input).toMatchObject({ queue: "ModelTraining", idField: "batchId", prefetch: 1 });
    expect(config.output).toMatchObject({ queue: "ModelEvaluation", message: DEFAULT_RESULT_TEMPLATE });
    expect(deadLetterQueueOf(config)).toBe("ModelTraining.dead");
    expect(bridgeNameOf(config)).toBe("ModelTraining");
    expect(bridgeNameOf({ ...config, name: "east" })).toBe("east");
  });

  it("turns seed 000's message into a queued image-classifier run tagged with its id", () => {
    const parsed = parseMessageBody(bytes(JSON.stringify(seedMessage)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const request = bridgedRunRequest(config, parsed.value, "batch_20251115_001");
    expect(request).toEqual({
      ok: true,
      value: {
        project: "ocolecionador",
        name: "batch_20251115_001",
        tags: ["amqp", "carros"],
        config: { total_images: 9000, categories: ["carros", "moedas", "animais"] },
        spec: {
          kind: "image-classifier",
          data: { path: "dataset:training/carros/" },
          model: { backbone: "mobilenet_v2" },
        },
        keyValueTags: {
          "amqp.bridge": "ModelTraining",
          "amqp.message_id": "batch_20251115_001",
          "amqp.message": JSON.stringify(seedMessage),
        },
      },
    });
  });

  it("explains why a message cannot become a run", () => {
    expect(parseMessageBody(bytes("not json"))).toMatchObject({ ok: false, reason: /^body: not JSON/ });
    expect(parseMessageBody(bytes("[1,2]"))).toEqual({ ok: false, reason: "body: expected a JSON object" });
    expect(parseMessageBody(new Uint8Array([0xff, 0xfe]))).toEqual({
      ok: false,
      reason: "body: not UTF-8 text",
    });
    expect(messageIdOf({ batchId: "" }, "batchId")).toMatchObject({ ok: false, reason: /^batchId: / });
    expect(messageIdOf({}, "batchId")).toMatchObject({ ok: false });
    expect(messageIdOf({ meta: { id: 42 } }, "meta.id")).toEqual({ ok: true, value: "42" });
    const { datasetPath: _, ...withoutPath } = seedMessage;
    expect(bridgedRunRequest(config, withoutPath, "b1")).toEqual({
      ok: false,
      reason: "run.spec.data.path: ${message.datasetPath}: message has no field datasetPath",
    });
    const badCategory = { ...seedMessage, categories: ["two words"] };
    expect(bridgedRunRequest(config, badCategory, "b1")).toMatchObject({
      ok: false,
      reason: /^run\.tags\.1: must not contain spaces or commas/,
    });
  });

  it("keeps a message too long for a tag off the run, and reads a kept one back", () => {
    const big = { ...seedMessage, categories: Array.from({ length: 2000 }, (_, i) => `c${i}`) };
    const request = bridgedRunRequest(config, big, "b-big");
    expect(request.ok && request.value.keyValueTags).toEqual({
      "amqp.bridge": "ModelTraining",
      "amqp.message_id": "b-big",
    });
    expect(storedMessageOf({ "amqp.message": JSON.stringify(seedMessage) })).toEqual(seedMessage);
    expect(storedMessageOf({})).toBeNull();
  });

  it("refuses templates whose placeholders read something other than their inputs", () => {
    expect(() => checkBridgeTemplates(config)).not.toThrow();
    const bad = amqpBridgeConfig.parse({
      run: { project: "p", spec: { kind: "command", command: "${run.id}" } },
      output: { message: { x: "${env.SECRET}" } },
    });
    expect(() => checkBridgeTemplates(bad)).toThrow(
      "run.spec.command: ${run.id} must start with message.; output.message.x: ${env.SECRET} must start with run. or message. or labtrack.",
    );
  });

  it("finds a message's run and the unpublished runs with filters the API parses", () => {
    const tag = (key: string) => ({ scope: "keyValueTag", key });
    for (const id of ['id "with" quotes', "42", "null", "and", "a b\nc"]) {
      expect(parseRunFilter(messageRunFilter("ModelTraining", id))).toEqual({
        type: "and",
        left: { type: "compare", field: tag("amqp.bridge"), op: "=", value: "ModelTraining" },
        right: { type: "compare", field: tag("amqp.message_id"), op: "=", value: id },
      });
    }
    expect(parseRunFilter(unpublishedRunsFilter("east:1"))).toEqual({
      type: "and",
      left: { type: "compare", field: tag("amqp.bridge"), op: "=", value: "east:1" },
      right: { type: "compare", field: tag("amqp.published"), op: "=", value: null },
    });
  });

  it("fills seed 000's result message from what the image-classifier recipe records", () => {
    const run = {
      id: "0d9c1a52-64a5-4f5e-9f0e-2b7b8f3f6a10",
      name: "batch_20251115_001",
      status: "succeeded",
      finishedAt: "2025-11-15T11:00:00.000Z",
      results: {
        "test/accuracy": 0.9412,
        "test/precision": 0.9387,
        "test/recall": 0.9301,
        "test/f1": 0.9344,
        training_time_s: 3600,
        epochs_run: 30,
        best_epoch: 28,
      },
    };
    const facts = {
      trainingStatus: trainingStatusOf("succeeded"),
      runUrl: "http://labtrack/runs/x",
      modelPath: "model/model.json",
      modelUrl: "http://labtrack/api/artifacts/x/model/model.json",
      messageId: "batch_20251115_001",
    };
    expect(resultMessageFor(DEFAULT_RESULT_TEMPLATE, run, seedMessage, facts)).toEqual({
      modelVersion: "batch_20251115_001",
      trainingStatus: "success",
      metrics: { accuracy: 0.9412, precision: 0.9387, recall: 0.9301, f1_score: 0.9344 },
      trainingTime: 3600,
      epochsCompleted: 30,
      bestEpoch: 28,
      modelPath: "http://labtrack/api/artifacts/x/model/model.json",
      completedAt: "2025-11-15T11:00:00.000Z",
    });
    const failed = resultMessageFor(
      { status: "${labtrack.trainingStatus}", batch: "${message.batchId}", f1: "${run.results.test/f1}" },
      { ...run, results: {} },
      seedMessage,
      { ...facts, trainingStatus: trainingStatusOf("failed") },
    );
    expect(failed).toEqual({ status: "failed", batch: "batch_20251115_001", f1: null });
    expect([trainingStatusOf("canceled"), trainingStatusOf("lost")]).toEqual(["canceled", "failed"]);
    expect(resultMessageId(run.id)).toBe(`labtrack-run-${run.id}`);
  });
});

describe("amqpBridgeConfig", () => {
  it("names unknown and missing fields", () => {
    const result = amqpBridgeConfig.safeParse({
      input: { queue: "q", prefech: 2 },
      run: { project: "p", specc: {} },
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^input: Unrecognized key: "prefech"/),
        expect.stringMatching(/^run\.specc: unknown field/),
        "run.spec: required",
      ]),
    );
    expect(
      amqpBridgeConfig.safeParse({ amqp: { url: "http://x" }, run: { project: "p", spec: {} } }).success,
    ).toBe(false);
  });
});
