import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The Python suite runs against a real server per database kind.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
