import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type BackendActivator, type BackendChoice, selectBestBackend } from "./select-backend.ts";

function gpuAddonInstalled(): boolean {
  try {
    const manifest = createRequire(import.meta.url).resolve("@tensorflow/tfjs-node-gpu/package.json");
    return existsSync(path.join(path.dirname(manifest), "lib"));
  } catch {
    return false;
  }
}

/** An activator where only the listed backends load; it records what was tried, in order. */
function hostWith(loadable: BackendChoice[]) {
  const tried: BackendChoice[] = [];
  const activate: BackendActivator = async (choice) => {
    tried.push(choice);
    if (!loadable.includes(choice)) throw new Error(`${choice} cannot load here\nstack line`);
    const native = choice === "tfjs-node-gpu" || choice === "tfjs-node";
    return { tfjsName: native ? "tensorflow" : choice, customKernels: [] };
  };
  return { tried, activate };
}

describe("selectBestBackend", () => {
  it("uses tfjs-node-gpu first where it loads", async () => {
    const host = hostWith(["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"]);
    const selected = await selectBestBackend(undefined, host.activate);
    expect(selected).toMatchObject({ choice: "tfjs-node-gpu", tfjsName: "tensorflow", skipped: [] });
    expect(host.tried).toEqual(["tfjs-node-gpu"]);
  });

  it("falls back in order (tfjs-node, then wasm) and says why each faster one was skipped", async () => {
    const host = hostWith(["wasm", "cpu"]);
    const selected = await selectBestBackend(undefined, host.activate);
    expect(selected.choice).toBe("wasm");
    expect(host.tried).toEqual(["tfjs-node-gpu", "tfjs-node", "wasm"]);
    expect(selected.skipped).toEqual([
      { choice: "tfjs-node-gpu", reason: "tfjs-node-gpu cannot load here" },
      { choice: "tfjs-node", reason: "tfjs-node cannot load here" },
    ]);
    const cpuOnly = await selectBestBackend(undefined, hostWith(["cpu"]).activate);
    expect(cpuOnly.choice).toBe("cpu");
  });

  it("tries only a forced backend, and names every reason when nothing loads", async () => {
    const host = hostWith(["tfjs-node-gpu", "wasm"]);
    expect((await selectBestBackend(["wasm"], host.activate)).choice).toBe("wasm");
    expect(host.tried).toEqual(["wasm"]);
    await expect(selectBestBackend(["tfjs-node"], host.activate)).rejects.toThrow(
      "no tfjs backend could be activated (tfjs-node: tfjs-node cannot load here)",
    );
  });

  // A default install has the package without its addon (its libtensorflow download never runs),
  // or, where the optional dependency failed to install, not at all.
  it.skipIf(gpuAddonInstalled())(
    "the real activator skips tfjs-node-gpu where its native addon is absent",
    async () => {
      const selected = await selectBestBackend(["tfjs-node-gpu", "cpu"]);
      expect(selected.choice).toBe("cpu");
      expect(selected.skipped[0]?.choice).toBe("tfjs-node-gpu");
      expect(selected.skipped[0]?.reason).toMatch(/tfjs-node-gpu/);
    },
  );
});
