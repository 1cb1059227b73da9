import { z } from "zod";
import { runId } from "./common.ts";
import { pgText } from "./pg-text.ts";

export const artifactKind = z.enum(["checkpoint", "model", "dataset", "plot", "file"]);
export type ArtifactKind = z.infer<typeof artifactKind>;

export const artifact = z.object({
  runId,
  path: z.string(),
  kind: artifactKind,
  size: z.number(),
  sha256: z.string(),
  contentType: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type Artifact = z.infer<typeof artifact>;

export const artifactsListInput = z.object({ runId, prefix: pgText().max(4096).optional() });
