import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites start real servers and databases; two cores do not gain from more forks.
    maxWorkers: 2,
  },
});
