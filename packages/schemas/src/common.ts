import { z } from "zod";

/** Project slugs appear in URLs and filters: lower-case letters, digits, dashes and underscores. */
export const projectSlug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lower-case letters, digits, '-' or '_'");

export const runId = z.uuid();

/** A JSON value, as stored in a run's config. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ]),
);

/** Opaque pagination cursor handed back by list procedures. */
export const cursor = z.string().max(512);

export const isoDate = z.string();
