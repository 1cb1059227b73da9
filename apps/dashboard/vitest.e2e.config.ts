import { defineConfig } from "vitest/config";

/** End-to-end: a real tracker-api serving the built dashboard, driven through Debian's chromium. */
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
