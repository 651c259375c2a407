/**
 * The tsad GradBench tool: reads one JSON message per line on stdin and writes one JSON response
 * per line on stdout; everything else (logs, stack traces) goes to stderr. Started by run.mjs.
 */
import { createInterface } from "node:readline";
import { ToolSession } from "./protocol.ts";

export async function serve(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<void> {
  const session = new ToolSession();
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === "") continue;
    output.write(`${JSON.stringify(await session.respond(line))}\n`);
  }
}
