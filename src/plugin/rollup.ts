/** The tsad plugin for rollup: `import tsad from "tsad/rollup"`. See src/plugin/plugin.ts. */
import { unplugin } from "./plugin.ts";

export type { TsadPluginOptions } from "./plugin.ts";
export default unplugin.rollup;
