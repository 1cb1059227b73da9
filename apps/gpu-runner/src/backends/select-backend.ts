import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { registerGradientKernels } from "./register-gradient-kernels.ts";

/** The tfjs backends a runner can train on, fastest first. */
export const backendChoices = ["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"] as const;
export type BackendChoice = (typeof backendChoices)[number];

export interface SelectedBackend {
  choice: BackendChoice;
  /** The name tfjs knows the backend by (`tensorflow` for both native packages). */
  tfjsName: string;
  /** Gradient kernels this module registered or replaced on that backend. */
  customKernels: string[];
  /** Backends tried before this one and why they were not used. */
  skipped: { choice: BackendChoice; reason: string }[];
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}

/**
 * Imports an optional native package by a name the type checker does not resolve: where its
 * install failed the package may be absent, and that must not break type checking.
 */
async function importOptional(packageName: string): Promise<void> {
  // A failed native install leaves the package without its addon (lib/); importing it anyway
  // registers its kernels before failing, which then clash with the next native package tried.
  const packageJson = createRequire(import.meta.url).resolve(`${packageName}/package.json`);
  if (!existsSync(path.join(path.dirname(packageJson), "lib"))) {
    throw new Error(
      `${packageName} is installed without its native addon (libtensorflow was not fetched: see the README, "GPU training backend")`,
    );
  }
  await import(packageName);
}

/** Makes one backend tfjs's current one, or throws why it cannot. */
export type BackendActivator = (
  choice: BackendChoice,
) => Promise<{ tfjsName: string; customKernels: string[] }>;

/** The real activator: imports the backend's package (native ones only when installed with their addon). */
export const activateBackend: BackendActivator = async (choice) => {
  switch (choice) {
    case "tfjs-node-gpu": {
      await importOptional("@tensorflow/tfjs-node-gpu");
      if (!(await tf.setBackend("tensorflow"))) throw new Error("the tensorflow backend did not initialise");
      return { tfjsName: "tensorflow", customKernels: [] };
    }
    case "tfjs-node": {
      await importOptional("@tensorflow/tfjs-node");
      if (!(await tf.setBackend("tensorflow"))) throw new Error("the tensorflow backend did not initialise");
      return { tfjsName: "tensorflow", customKernels: [] };
    }
    case "wasm": {
      await import("@tensorflow/tfjs-backend-wasm");
      if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend did not initialise");
      return { tfjsName: "wasm", customKernels: registerGradientKernels("wasm") };
    }
    case "cpu": {
      if (!(await tf.setBackend("cpu"))) throw new Error("the cpu backend did not initialise");
      const customKernels = registerGradientKernels("cpu", { replace: ["Conv2DBackpropFilter"] });
      return { tfjsName: "cpu", customKernels };
    }
  }
};

/**
 * Activates the fastest backend that loads, in the order given (all of them by default):
 * tfjs-node-gpu (CUDA), tfjs-node, wasm, then the plain cpu backend. The native packages are
 * optional dependencies whose install may have failed; they are then skipped with the reason.
 * `activate` is replaceable so that the choice can be tested without the native packages.
 */
export async function selectBestBackend(
  order: readonly BackendChoice[] = backendChoices,
  activate: BackendActivator = activateBackend,
): Promise<SelectedBackend> {
  const skipped: SelectedBackend["skipped"] = [];
  for (const choice of order) {
    try {
      const { tfjsName, customKernels } = await activate(choice);
      await tf.ready();
      return { choice, tfjsName, customKernels, skipped };
    } catch (error) {
      skipped.push({ choice, reason: errorText(error) });
    }
  }
  const reasons = skipped.map((s) => `${s.choice}: ${s.reason}`).join("; ");
  throw new Error(`no tfjs backend could be activated (${reasons})`);
}

/** Parses a backend name given by a user or the runner, e.g. from an environment variable. */
export function parseBackendChoice(value: string): BackendChoice {
  const found = backendChoices.find((choice) => choice === value);
  if (!found) throw new Error(`unknown backend '${value}': expected one of ${backendChoices.join(", ")}`);
  return found;
}
