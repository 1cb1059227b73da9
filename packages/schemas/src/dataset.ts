import { z } from "zod";
import { PG_INT_MAX } from "./pg-text.ts";

/** A dataset's name: letters, digits, `.`, `_`, `-`; starts with a letter or digit. */
export const datasetName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    "must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit",
  );

export const datasetVersion = z.int().positive().max(PG_INT_MAX);

/** One pushed version of a dataset: a tar of its folder, stored once by sha256. */
export const dataset = z.object({
  name: datasetName,
  version: datasetVersion,
  sha256: z.string(),
  /** Bytes of the tar. */
  size: z.number(),
  /** Regular files in the tar. */
  fileCount: z.number(),
  createdAt: z.string(),
});
export type Dataset = z.infer<typeof dataset>;

/** The answer to a push: `created` is false when the same content was already a version. */
export const datasetPushResult = dataset.extend({ created: z.boolean() });
export type DatasetPushResult = z.infer<typeof datasetPushResult>;

export const datasetsListInput = z.object({ name: datasetName.optional() }).default({});
/** `version` absent: the latest one. */
export const datasetsGetInput = z.object({ name: datasetName, version: datasetVersion.optional() });

export const DATASET_REF_PREFIX = "dataset:";

export interface DatasetRef {
  name: string;
  /** Absent: the latest version. */
  version?: number;
}

/** `dataset:<name>[@version]` as a spec's `data.path` names one; null for a plain folder path. */
export function parseDatasetRef(text: string): DatasetRef | null {
  if (!text.startsWith(DATASET_REF_PREFIX)) return null;
  const rest = text.slice(DATASET_REF_PREFIX.length);
  const at = rest.lastIndexOf("@");
  const name = datasetName.safeParse(at < 0 ? rest : rest.slice(0, at));
  if (!name.success) throw new Error(`data.path: '${text}': dataset name ${name.error.issues[0]?.message}`);
  if (at < 0) return { name: name.data };
  const version = datasetVersion.safeParse(Number(rest.slice(at + 1)));
  if (!version.success || !/^\d+$/.test(rest.slice(at + 1))) {
    throw new Error(`data.path: '${text}': version must be a positive whole number after '@'`);
  }
  return { name: name.data, version: version.data };
}
