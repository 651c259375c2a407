/** The playground's server: the default port falls back to a free one when it is taken; a port asked for does not. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serveOnDefaultPort } from "../playground/serve.ts";

const root = mkdtempSync(join(tmpdir(), "tsad-serve-"));
writeFileSync(join(root, "index.html"), "<p>hello</p>");
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(root, { recursive: true, force: true });
});

describe("the playground server", () => {
  it("serves on a free port when the default one is taken, and fails on a taken port that was asked for", async () => {
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const taken = (blocker.address() as AddressInfo).port;

    const served = await serveOnDefaultPort(root, taken, false);
    servers.push(served.server);
    expect(served.fellBack).toBe(true);
    expect(served.url).not.toContain(`:${taken}/`);
    expect(await (await fetch(served.url)).text()).toBe("<p>hello</p>");

    await expect(serveOnDefaultPort(root, taken, true)).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});
