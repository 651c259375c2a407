/**
 * Regenerates the README's picture of the playground (docs/playground.png): builds the site,
 * serves it on 127.0.0.1, opens an example in headless Chromium and saves a screenshot.
 *
 *   npx tsx playground/screenshot.ts [out.png] [example]     (needs /usr/bin/chromium)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { buildPlayground } from "./build.ts";
import { serveStatic } from "./serve.ts";

const out = resolve(process.argv[2] ?? "docs/playground.png");
const example = process.argv[3] ?? "sawtooth";
const dir = mkdtempSync(join(tmpdir(), "tsad-playground-"));
await buildPlayground(dir);
const { server, url } = await serveStatic(dir, 0);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.goto(url);
  const idle = (n: number) => page.waitForFunction((count) => Number(document.body.dataset.responses) >= count && document.body.dataset.busy === "false", n, { timeout: 60_000 });
  await idle(1);
  if (example !== "sawtooth") {
    await page.selectOption("#example", example);
    await idle(2);
  }
  await page.screenshot({ path: out, fullPage: true });
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await browser.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
