import {
  AMQP_BRIDGE_TAGS,
  type AmqpBridgeConfig,
  type JsonValue,
  jsonObject,
  keyValueTagValue,
  type QueueEnqueueInput,
  queueEnqueueInput,
  type RunStatus,
} from "@labtrack/schemas";
import { checkTemplateRoots, renderTemplate, TemplateError, valueAt } from "./message-template.ts";
import { type FilterExpr, formatRunFilter } from "./run-filter.ts";

/**
 * How the AMQP bridge turns a message into a queued run and an ended run into a result message.
 * Pure rules; the bridge in the sdk does the I/O.
 */

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

type JsonRecord = { [key: string]: JsonValue };

/** Statuses after which a run never runs again: its result message can go out. */
export const ENDED_RUN_STATUSES = ["succeeded", "failed", "canceled"] as const satisfies readonly RunStatus[];

/** The largest message body kept on the run (a key/value tag's limit). */
export const STORED_MESSAGE_MAX_CHARS = 8000;

export const bridgeNameOf = (config: AmqpBridgeConfig): string => config.name ?? config.input.queue;
export const deadLetterQueueOf = (config: AmqpBridgeConfig): string =>
  config.input.deadLetterQueue ?? `${config.input.queue}.dead`;

/** Run placeholders may read the message; result placeholders the run, the message and the bridge's facts. */
export function checkBridgeTemplates(config: AmqpBridgeConfig): void {
  const problems: string[] = [];
  for (const [where, template, roots] of [
    ["run", config.run, ["message"]],
    ["output.message", config.output.message, ["run", "message", "labtrack"]],
  ] as const) {
    try {
      checkTemplateRoots(template, roots);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push(`${where}.${error.message}`);
    }
  }
  if (problems.length) throw new TemplateError(problems.join("; "));
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A delivery's body must be UTF-8 JSON holding an object. */
export function parseMessageBody(body: Uint8Array): Outcome<JsonRecord> {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, reason: "body: not UTF-8 text" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `body: not JSON (${(error as Error).message})` };
  }
  const checked = jsonObject.safeParse(parsed);
  if (!checked.success || typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: "body: expected a JSON object" };
  }
  return { ok: true, value: checked.data };
}

/** The message's id (`batchId` by default): a non-empty string or a finite number. */
export function messageIdOf(message: JsonRecord, idField: string): Outcome<string> {
  const value = valueAt({ message }, `message.${idField}`);
  const id = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  if (typeof id !== "string" || id === "") {
    return { ok: false, reason: `${idField}: the message id must be a non-empty string or a number` };
  }
  if (!keyValueTagValue.safeParse(id).success) {
    return { ok: false, reason: `${idField}: the message id must be text of at most 8000 characters` };
  }
  return { ok: true, value: id };
}

/** The queue.enqueue request for a message: the run template filled in, validated, tagged. */
export function bridgedRunRequest(
  config: AmqpBridgeConfig,
  message: JsonRecord,
  messageId: string,
): Outcome<QueueEnqueueInput> {
  let rendered: JsonValue;
  try {
    rendered = renderTemplate(config.run, { message }, { missing: "error" });
  } catch (error) {
    if (error instanceof TemplateError) return { ok: false, reason: `run.${error.message}` };
    throw error;
  }
  const request = rendered as JsonRecord;
  const ownTags = request.keyValueTags;
  const body = JSON.stringify(message);
  request.keyValueTags = {
    ...(typeof ownTags === "object" && ownTags !== null && !Array.isArray(ownTags) ? ownTags : {}),
    [AMQP_BRIDGE_TAGS.bridge]: bridgeNameOf(config),
    [AMQP_BRIDGE_TAGS.messageId]: messageId,
    ...(body.length <= STORED_MESSAGE_MAX_CHARS ? { [AMQP_BRIDGE_TAGS.message]: body } : {}),
  };
  const parsed = queueEnqueueInput.safeParse(request);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `run.${i.path.join(".")}: ${i.message}`);
    return { ok: false, reason: issues.join("; ") };
  }
  return { ok: true, value: request as QueueEnqueueInput };
}

const kvTag = (key: string) => ({ scope: "keyValueTag", key }) as const;
const both = (left: FilterExpr, right: FilterExpr): FilterExpr => ({ type: "and", left, right });

/** The filter that finds the run a message already queued (idempotency across restarts). */
export function messageRunFilter(bridge: string, messageId: string): string {
  return formatRunFilter(
    both(
      { type: "compare", field: kvTag(AMQP_BRIDGE_TAGS.bridge), op: "=", value: bridge },
      { type: "compare", field: kvTag(AMQP_BRIDGE_TAGS.messageId), op: "=", value: messageId },
    ),
  );
}

/** The filter for this bridge's runs whose result message has not been confirmed yet. */
export function unpublishedRunsFilter(bridge: string): string {
  return formatRunFilter(
    both(
      { type: "compare", field: kvTag(AMQP_BRIDGE_TAGS.bridge), op: "=", value: bridge },
      { type: "compare", field: kvTag(AMQP_BRIDGE_TAGS.published), op: "=", value: null },
    ),
  );
}

/** Seed 000's `trainingStatus` words. */
export function trainingStatusOf(status: RunStatus): string {
  if (status === "succeeded") return "success";
  if (status === "canceled") return "canceled";
  return "failed";
}

/** The result message's AMQP message id: the same on every republish, so consumers can dedupe. */
export const resultMessageId = (runId: string): string => `labtrack-run-${runId}`;

/** The message a run was queued from, as kept in its tags (null when it did not fit). */
export function storedMessageOf(keyValueTags: Record<string, string>): JsonValue {
  const text = keyValueTags[AMQP_BRIDGE_TAGS.message];
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return null;
  }
}

export interface ResultFacts {
  trainingStatus: string;
  runUrl: string;
  modelPath: string | null;
  modelUrl: string | null;
  messageId: string | null;
}

/** Fills the result template; a placeholder naming nothing (a metric the run never reported) is null. */
export function resultMessageFor(
  template: JsonValue,
  run: JsonRecord,
  message: JsonValue,
  facts: ResultFacts,
): JsonValue {
  const labtrack: JsonRecord = { ...facts };
  return renderTemplate(template, { run, message, labtrack }, { missing: "null" });
}
