/**
 * The built site in headless Chromium, as the end-to-end tests and the screenshot scripts use it:
 * built into a fresh temporary folder, served on 127.0.0.1, one browser launched. Needs Debian's
 * chromium at /usr/bin/chromium (`apt-get install -y chromium`).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { buildPlayground } from "./build.ts";
import { serveStatic } from "./serve.ts";

export const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export const hasChromium = existsSync(CHROMIUM);

export interface OpenSite {
  /** The folder the site was built into. */
  dir: string;
  /** Where the site is served, ending in "/". */
  url: string;
  browser: Browser;
  /** Closes the browser and the server, and removes the build. */
  close(): Promise<void>;
}

export async function openSite(prefix: string): Promise<OpenSite> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const cleanups: (() => unknown)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    await buildPlayground(dir);
    const { server, url } = await serveStatic(dir, 0);
    cleanups.push(() => server.close());
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    cleanups.push(() => browser.close());
    return { dir, url, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
