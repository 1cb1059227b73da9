// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are the bridge's placeholders, not JS templates.
import { z } from "zod";
import { type JsonValue, jsonValue } from "./json-value.ts";

/** AMQP 0-9-1 queue names are short strings: at most 255 bytes. */
export const amqpQueueName = z
  .string()
  .min(1)
  .refine((name) => Buffer.byteLength(name) <= 255, "must be at most 255 bytes");

/**
 * The result message seed 000's evaluation service consumes, filled from what the image-classifier
 * recipe records (`run.results`) and what the bridge knows (`labtrack.*`).
 */
export const DEFAULT_RESULT_TEMPLATE: Record<string, JsonValue> = {
  modelVersion: "${run.name}",
  trainingStatus: "${labtrack.trainingStatus}",
  metrics: {
    accuracy: "${run.results.test/accuracy}",
    precision: "${run.results.test/precision}",
    recall: "${run.results.test/recall}",
    f1_score: "${run.results.test/f1}",
  },
  trainingTime: "${run.results.training_time_s}",
  epochsCompleted: "${run.results.epochs_run}",
  bestEpoch: "${run.results.best_epoch}",
  modelPath: "${labtrack.modelUrl}",
  completedAt: "${run.finishedAt}",
};

/** The fields of a `queue.enqueue` request; any string in them may hold `${message.<field>}`. */
const RUN_TEMPLATE_KEYS = [
  "project",
  "name",
  "group",
  "tags",
  "keyValueTags",
  "config",
  "notes",
  "spec",
  "queue",
  "priority",
  "requirements",
  "maxAttempts",
] as const;

export const amqpRunTemplate = z
  .record(z.string(), jsonValue)
  .superRefine((template, ctx) => {
    for (const key of Object.keys(template)) {
      if (!(RUN_TEMPLATE_KEYS as readonly string[]).includes(key)) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `unknown field; expected one of ${RUN_TEMPLATE_KEYS.join(", ")}`,
        });
      }
    }
    for (const key of ["project", "spec"]) {
      if (template[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: "required" });
    }
  })
  .describe(
    "A queue.enqueue request (project, name, spec, config, tags, …) with ${message.<field>} placeholders.",
  );

export const amqpBridgeConfig = z
  .object({
    /** Marks the runs this bridge queued (`amqp.bridge` tag); the input queue's name by default. */
    name: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9._:-]+$/, "must be letters, digits, '.', '_', ':' or '-'")
      .optional(),
    amqp: z
      .object({
        url: z
          .string()
          .regex(/^amqps?:\/\//, "must start with amqp:// or amqps://")
          .default("amqp://guest:guest@127.0.0.1:5672"),
        heartbeatSeconds: z.int().min(0).max(3600).default(30),
        reconnectInitialDelayMs: z.int().min(1).max(600_000).default(200),
        reconnectMaxDelayMs: z.int().min(1).max(600_000).default(10_000),
      })
      .strict()
      .prefault({}),
    input: z
      .object({
        queue: amqpQueueName.default("ModelTraining"),
        /** Where messages that fail validation go, with the reason; `<queue>.dead` by default. */
        deadLetterQueue: amqpQueueName.optional(),
        /** The message field that identifies it; a redelivery with the same id queues no second run. */
        idField: z.string().min(1).max(250).default("batchId"),
        /** Messages handled at once (unacknowledged on the channel). */
        prefetch: z.int().min(1).max(1000).default(1),
        /** Declare the queues (durable) on connect; false: they must exist. */
        declare: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    output: z
      .object({
        queue: amqpQueueName.default("ModelEvaluation"),
        /** The result message; strings may hold ${run.…}, ${message.…} and ${labtrack.…}. */
        message: jsonValue.default(DEFAULT_RESULT_TEMPLATE),
        /** How often the bridge looks for bridged runs that ended and are not yet published. */
        pollIntervalMs: z.int().min(100).max(3_600_000).default(2_000),
      })
      .strict()
      .prefault({}),
    run: amqpRunTemplate,
  })
  .strict();
export type AmqpBridgeConfig = z.output<typeof amqpBridgeConfig>;
export type AmqpBridgeConfigInput = z.input<typeof amqpBridgeConfig>;

/** The key/value tags the bridge keeps on the runs it queues. */
export const AMQP_BRIDGE_TAGS = {
  bridge: "amqp.bridge",
  messageId: "amqp.message_id",
  /** The message body, when it fits a tag (8,000 characters), for `${message.…}` in the result. */
  message: "amqp.message",
  /** When the result message was confirmed by the broker. */
  published: "amqp.published",
} as const;
