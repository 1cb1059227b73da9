import type { JsonValue } from "@labtrack/schemas";
import type { SpecDocument } from "./spec-document.ts";

export interface Preset {
  id: string;
  label: string;
  document: (project: string) => SpecDocument;
}

/** A shell loop that reports a falling loss and a rising accuracy: shows the live path end to end. */
const SYNTHETIC_CURVES =
  "awk 'BEGIN { for (i = 0; i < 40; i++) { " +
  'printf "@labtrack step=%d train/loss=%.4f val/accuracy=%.4f\\n", i, exp(-i / 12) + 0.05, 1 - exp(-i / 9) / 2; ' +
  'fflush(); system("sleep 0.25") } }\'';

export const PRESETS: Preset[] = [
  {
    id: "command-curves",
    label: "Command · synthetic curves (no GPU)",
    document: (project) => ({
      project,
      name: "synthetic-curves",
      tags: ["demo"],
      config: { schedule: "exp", steps: 40 },
      spec: { kind: "command", command: SYNTHETIC_CURVES },
    }),
  },
  {
    id: "command-python",
    label: "Command · your training script",
    document: (project) => ({
      project,
      name: "train-script",
      config: { lr: 0.001, batch_size: 32 },
      spec: { kind: "command", command: ["python3", "train.py", "--lr", "0.001"], timeout_seconds: 86_400 },
      requirements: { gpus: 1 },
    }),
  },
  {
    id: "image-classifier",
    label: "Image classifier · MobileNetV2 transfer learning",
    document: (project) => ({
      project,
      name: "mobilenet-v2-transfer",
      tags: ["classifier"],
      spec: {
        kind: "image-classifier",
        data: { path: "/data/flowers" },
        model: { backbone: "mobilenet_v2", input_size: 224 },
        batch_size: 32,
      },
    }),
  },
];

/**
 * A complete spec of `kind` to switch to in the form (the first preset's), so the new kind starts
 * valid instead of with every required section missing.
 */
export function specTemplate(kind: string): JsonValue {
  const preset = PRESETS.find((p) => {
    const spec = p.document("").spec;
    return spec !== null && typeof spec === "object" && !Array.isArray(spec) && spec.kind === kind;
  });
  return preset?.document("").spec ?? { kind };
}
