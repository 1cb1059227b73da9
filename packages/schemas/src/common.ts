import { z } from "zod";

export { type JsonValue, jsonObject, jsonValue, MAX_JSON_DEPTH } from "./json-value.ts";

/** Project slugs appear in URLs and filters: lower-case letters, digits, dashes and underscores. */
export const projectSlug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lower-case letters, digits, '-' or '_'");

export const runId = z.uuid();

/** Opaque pagination cursor handed back by list procedures. */
export const cursor = z.string().max(512);

export const isoDate = z.string();
