/** The tsad plugin for vite: `import tsad from "tsad/vite"`. See src/plugin/plugin.ts. */
import { unplugin } from "./plugin.ts";

export type { TsadPluginOptions } from "./plugin.ts";
export default unplugin.vite;
