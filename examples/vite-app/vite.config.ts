import { defineConfig } from "vite";
import tsad from "tsad/vite";

// The tsad plugin generates `*.grad.ts` modules in memory when they are imported.
export default defineConfig({
  plugins: [tsad()],
});
