/**
 * A picture of the Lab view (docs/lab.png by default): builds the site, serves it on 127.0.0.1,
 * runs one panel with its default settings in headless Chromium and saves a screenshot of it.
 *
 *   npx tsx playground/lab/screenshot.ts [out.png] [approximation|generalisation|curvature|ntk]
 *   (needs /usr/bin/chromium)
 */
import { resolve } from "node:path";
import { openSite } from "../chromium.ts";

const out = resolve(process.argv[2] ?? "docs/lab.png");
const panel = process.argv[3] ?? "approximation";
const { url, browser, close } = await openSite("tsad-lab-");
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  await page.goto(`${url}lab.html#${panel}`);
  await page.waitForFunction(() => document.body.dataset.ready === "true");
  await page.click(`#${panel} .run`);
  await page.waitForFunction((p) => ["done", "error"].includes(document.getElementById(p)!.dataset.state!), panel, { timeout: 300_000 });
  await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1360, height: 1000 } });
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await close();
}
