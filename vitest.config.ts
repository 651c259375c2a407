import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // CI must not write snapshots: a missing or different snapshot fails there.
    update: false,
  },
});
