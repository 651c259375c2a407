/**
 * The eval's side of a conversation with the tool, for the tests and the ratio driver: starts
 * `node bench/gradbench/run.mjs`, sends one message per line and resolves each response by order
 * (the tool answers every line, in order).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

export type Response = { id: number | null; success?: boolean; output?: unknown; error?: string; timings?: { name: string; nanoseconds: number }[] } & Record<string, unknown>;

export const TOOL_ENTRY = join(import.meta.dirname, "run.mjs");

export class ToolClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (r: Response) => void; reject: (e: Error) => void }[] = [];
  private nextId = 0;
  private stderr = "";
  private exited = false;

  constructor() {
    this.child = spawn(process.execPath, [TOOL_ENTRY], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => (this.stderr += chunk));
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on("line", (line) => {
      const waiter = this.waiting.shift();
      if (!waiter) return;
      try {
        waiter.resolve(JSON.parse(line) as Response);
      } catch {
        waiter.reject(new Error(`the tool wrote a line that is not JSON: ${line.slice(0, 200)}`));
      }
    });
    this.child.on("exit", (code) => {
      this.exited = true;
      for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(`the tool exited (status ${code}) before answering\n${this.stderr}`));
    });
  }

  /** Sends a message with the next id (unless it has one) and waits for the response. */
  send(message: Record<string, unknown>): Promise<Response> {
    const full = "id" in message ? message : { id: this.nextId++, ...message };
    return this.sendLine(JSON.stringify(full));
  }

  /** Sends one raw line, well-formed or not. */
  sendLine(line: string): Promise<Response> {
    if (this.exited) return Promise.reject(new Error(`the tool has exited\n${this.stderr}`));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${line}\n`);
    });
  }

  get log(): string {
    return this.stderr;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Closes stdin, as the eval does at the end, and waits for the tool to exit. */
  close(): Promise<number | null> {
    if (this.exited) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => {
      this.child.on("exit", (code) => resolve(code));
      this.child.stdin.end();
    });
  }
}
