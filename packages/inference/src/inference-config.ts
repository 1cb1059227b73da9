import { z } from "zod";

/** What a consumer of the exported model needs to turn an image into class probabilities. */
export const inferenceConfig = z.object({
  format: z.literal("labtrack-image-classifier/1"),
  input_size: z.int().positive(),
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
