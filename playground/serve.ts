/**
 * `npm run playground`: builds the static site and serves it on 127.0.0.1 (never on other
 * interfaces). The page compiles in the browser; this server only hands out files.
 *
 *   npm run playground [-- --port 5173]      (PORT=… works too; 0 picks a free port)
 *
 * Without a port asked for, it takes 5173, or a free port when 5173 is taken.
 */
import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPlayground } from "./build.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/** Serves `root` on 127.0.0.1:port; resolves once listening. */
export function serveStatic(root: string, port = 0): Promise<{ server: Server; url: string }> {
  const base = resolve(root);
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
    const file = normalize(join(base, pathname.endsWith("/") ? `${pathname}index.html` : pathname));
    if (request.method !== "GET" && request.method !== "HEAD") return void response.writeHead(405).end();
    if (file !== base && !file.startsWith(base + sep)) return void response.writeHead(403).end();
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw new Error("not a file");
      size = stat.size;
    } catch {
      return void response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": size, "cache-control": "no-cache" });
    if (request.method === "HEAD") return void response.end();
    createReadStream(file).pipe(response);
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: actual } = server.address() as AddressInfo;
      resolvePromise({ server, url: `http://127.0.0.1:${actual}/` });
    });
  });
}

/** The default port, or a free one when something else listens there; a port asked for is kept. */
export async function serveOnDefaultPort(root: string, port: number, asked: boolean): Promise<{ server: Server; url: string; fellBack: boolean }> {
  try {
    return { ...(await serveStatic(root, port)), fellBack: false };
  } catch (error) {
    if (asked || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    return { ...(await serveStatic(root, 0)), fellBack: true };
  }
}

const DEFAULT_PORT = 5173;

function portFromArgs(): { port: number; asked: boolean } {
  const flag = process.argv.indexOf("--port");
  const text = flag >= 0 ? process.argv[flag + 1] : process.env.PORT;
  const port = Number(text ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`playground: not a port: ${text}\n`);
    process.exit(2);
  }
  return { port, asked: text !== undefined };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { port, asked } = portFromArgs();
  const { outdir } = await buildPlayground();
  try {
    const { url, fellBack } = await serveOnDefaultPort(outdir, port, asked);
    if (fellBack) process.stdout.write(`tsad playground: port ${port} is in use; using a free one\n`);
    process.stdout.write(`tsad playground: ${url}  (serving ${outdir}; Ctrl-C stops)\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    process.stderr.write(`playground: cannot listen on 127.0.0.1:${port}${code === "EADDRINUSE" ? " (in use; try --port 0)" : ""}\n`);
    process.exit(1);
  }
}
