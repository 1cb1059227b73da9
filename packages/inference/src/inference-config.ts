import { z } from "zod";

/**
 * Largest square input a model may ask for: the training recipe goes up to 512 px; each predict
 * request allocates about 40 bytes per pixel, so an unbounded size (4096 px: +764 MB) lets one
 * uploaded config exhaust the server's memory.
 */
export const MODEL_INPUT_SIZE_MAX = 1024;

/** What a consumer of the exported model needs to turn an image into class probabilities. */
export const inferenceConfig = z.object({
  format: z.literal("labtrack-image-classifier/1"),
  input_size: z.int().positive().max(MODEL_INPUT_SIZE_MAX),
  preprocessing: z.object({
    resize: z.literal("stretch"),
    channels: z.literal("RGB"),
    /** pixel / 255: inputs in [0, 1]. */
    scale: z.number(),
    offset: z.number(),
  }),
  output: z.enum(["softmax", "multi-sigmoid", "binary-sigmoid"]),
  class_names: z.array(z.string()),
  multi_label: z.boolean(),
  /** Multi-label decision thresholds: one for all classes or one per class. */
  thresholds: z.array(z.number()).optional(),
  backbone: z.string(),
});
export type InferenceConfig = z.infer<typeof inferenceConfig>;
