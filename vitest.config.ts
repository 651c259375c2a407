import { availableParallelism } from "node:os";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * The slowest files start first, so that on two cores the long ones run side by side instead of
 * one of them starting last (the order otherwise follows file sizes on a clean clone, and the
 * fuzz tests' file is small).
 */
const SLOWEST_FIRST = ["fuzz", "fixtures", "playground", "dense", "package", "lab-page", "cli-usage", "cli", "plan", "bench-problems", "gradbench", "build", "errors"];

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const name = /([^/\\]+)\.test\.ts$/.exec(file.moduleId)?.[1] ?? "";
      const at = SLOWEST_FIRST.indexOf(name);
      return at === -1 ? SLOWEST_FIRST.length : at;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // CI must not write snapshots: a missing or different snapshot fails there.
    update: false,
    // Every core (vitest's default leaves one idle: on two cores, one file at a time).
    maxWorkers: availableParallelism(),
    sequence: { sequencer: SlowestFirst },
  },
});
