/**
 * Regenerates the README's picture of the playground (docs/playground.png): builds the site,
 * serves it on 127.0.0.1, opens an example in headless Chromium and saves a screenshot.
 *
 *   npx tsx playground/screenshot.ts [out.png] [example]     (needs /usr/bin/chromium)
 */
import { resolve } from "node:path";
import { openSite } from "./chromium.ts";

const out = resolve(process.argv[2] ?? "docs/playground.png");
const example = process.argv[3] ?? "sawtooth";
const { url, browser, close } = await openSite("tsad-playground-");
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
  await close();
}
