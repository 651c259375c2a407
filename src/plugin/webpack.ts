/** The tsad plugin for webpack: `import tsad from "tsad/webpack"`. See src/plugin/plugin.ts. */
import { unplugin } from "./plugin.ts";

export type { TsadPluginOptions } from "./plugin.ts";
export default unplugin.webpack;
