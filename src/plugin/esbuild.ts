/** The tsad plugin for esbuild: `import tsad from "tsad/esbuild"`. See src/plugin/plugin.ts. */
import { unplugin } from "./plugin.ts";

export type { TsadPluginOptions } from "./plugin.ts";
export default unplugin.esbuild;
