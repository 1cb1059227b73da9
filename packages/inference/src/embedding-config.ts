import { z } from "zod";
import { inferenceConfig } from "./inference-config.ts";

/**
 * What a consumer of an exported metric-learning model needs: how to feed it an image (as the
 * classifier's config), the embedding's length, and the verification threshold chosen on the
 * run's pairs. The model outputs the embedding before L2 normalisation; consumers normalise it.
 */
export const embeddingModelConfig = z.object({
  format: z.literal("labtrack-embedding-model/1"),
  input_size: inferenceConfig.shape.input_size,
  preprocessing: inferenceConfig.shape.preprocessing,
  backbone: z.string(),
  embedding_dim: z.int().positive().max(4096),
  normalize: z.literal("l2"),
  head: z.object({ kind: z.enum(["cosface", "arcface"]), margin: z.number(), scale: z.number() }),
  /** Identity classes it was trained on (also in labels.txt). */
  identities: z.number().int().min(0),
  /** From the run's verification pairs; null when the spec had none. */
  verification: z
    .object({
      /** Cosine similarity at or above which two images are called the same identity. */
      threshold: z.number().min(-1).max(2),
      accuracy: z.number(),
      accuracy_std: z.number(),
      pairs: z.int().min(0),
    })
    .nullable(),
});
export type EmbeddingModelConfig = z.infer<typeof embeddingModelConfig>;

/** Any model the recipe exports, told apart by `format`. */
export const servedModelConfig = z.discriminatedUnion("format", [inferenceConfig, embeddingModelConfig]);
export type ServedModelConfig = z.infer<typeof servedModelConfig>;
