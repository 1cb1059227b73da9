// biome-ignore-all lint/suspicious/noTemplateCurlyInString: sweep placeholders are literal ${name} strings
import { sweepConfig, type sweepsCreateInput } from "@labtrack/schemas";
import type { z } from "zod";
import type { DocumentProblem, SpecDocument } from "./spec-document.ts";

type SweepsCreateInput = z.input<typeof sweepsCreateInput>;

/** A sweep.yaml the user starts from: a command whose loss depends on lr and batch size. */
export function sweepTemplate(): SpecDocument {
  return {
    name: "lr-batch-search",
    method: "bayes",
    metric: { name: "val/loss", goal: "minimize", summary: "min" },
    parameters: {
      lr: { min: 0.0001, max: 0.1, distribution: "log_uniform_values" },
      batch_size: { values: [16, 32, 64] },
    },
    early_terminate: { type: "hyperband", min_iter: 3, eta: 3 },
    run_cap: 12,
    concurrency: 2,
    queue: "default",
    spec: {
      kind: "command",
      command: [
        "python3",
        "-c",
        [
          "import math, sys, time",
          "lr, bs = float(sys.argv[1]), int(sys.argv[2])",
          "for epoch in range(1, 11):",
          "    loss = (math.log10(lr) + 2.5) ** 2 + bs / 640 + 1 / epoch",
          '    print(f"@labtrack epoch={epoch} val/loss={loss:.4f}", flush=True)',
          "    time.sleep(0.5)",
        ].join("\n"),
        "${lr}",
        "${batch_size}",
      ],
    },
  };
}

/** Checks the sweep.yaml with the server's own schema; problems keyed by dotted path (`parameters.lr.min`). */
export function validateSweepDocument(doc: SpecDocument): DocumentProblem[] {
  const result = sweepConfig.safeParse(doc);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

/**
 * `sweeps.create`'s input: the config parsed (defaults filled in) as the server will, the project
 * as typed, so that a bad one comes back as the server's 400 naming `project`.
 */
export function sweepCreateInput(project: string, doc: SpecDocument): SweepsCreateInput {
  return { project, config: sweepConfig.parse(doc) };
}
