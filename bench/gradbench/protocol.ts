/**
 * The GradBench protocol on the tool's side: one JSON message in, one JSON response out. `respond`
 * never throws: a line that is not JSON, a message of an unknown kind, an unknown module or
 * function and a function that fails all become a response with `success: false` and an `error`
 * (with the message's `id` whenever one could be read).
 */
import { InputError } from "./decode.ts";
import { MODULES, isImplemented } from "./modules/index.ts";
import type { GradBenchModule } from "./modules/module.ts";
import { timeRuns, type Runs, type Timing } from "./timing.ts";

export const TOOL_NAME = "tsad";

export type Response = { id: number | null } & Record<string, unknown>;

export interface Log {
  (text: string): void;
}

class MessageError extends Error {}

export class ToolSession {
  private readonly defined = new Map<string, GradBenchModule>();

  constructor(private readonly log: Log = (text) => process.stderr.write(`${text}\n`)) {}

  async respond(line: string): Promise<Response> {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return failure(null, `not a JSON message: ${abbreviate(line)}`);
    }
    const id = idOf(message);
    try {
      if (id === null) throw new MessageError("the message has no integer `id`");
      return { id, ...(await this.dispatch(message as Record<string, unknown>)) };
    } catch (error) {
      if (!(error instanceof MessageError || error instanceof InputError)) this.log((error as Error).stack ?? String(error));
      return failure(id, (error as Error).message);
    }
  }

  private async dispatch(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    switch (message.kind) {
      case "start":
        return { tool: TOOL_NAME };
      case "define":
        return this.define(text(message, "module"));
      case "evaluate":
        return this.evaluate(text(message, "module"), text(message, "function"), message.input);
      case "analysis":
        if (message.valid === false) this.log(`the eval rejected the output of message ${String(message.of)}: ${String(message.error ?? "")}`);
        return {};
      default:
        throw new MessageError(`unknown message kind ${JSON.stringify(message.kind)}`);
    }
  }

  private async define(name: string): Promise<Record<string, unknown>> {
    if (!isImplemented(name)) return { success: false, error: `tsad does not implement the module \`${name}\`` };
    const start = process.hrtime.bigint();
    await this.load(name);
    const timings: Timing[] = [{ name: "define", nanoseconds: Number(process.hrtime.bigint() - start) }];
    return { success: true, timings };
  }

  private async evaluate(name: string, functionName: string, input: unknown): Promise<Record<string, unknown>> {
    if (!isImplemented(name)) return { success: false, error: `tsad does not implement the module \`${name}\`` };
    const module = await this.load(name);
    if (!Object.hasOwn(module, functionName)) return { success: false, error: `the module \`${name}\` has no function \`${functionName}\`` };
    const prepared = module[functionName]!(input);
    const { result, timings } = timeRuns(prepared.run, runsOf(input));
    return { success: true, output: prepared.output(result), timings };
  }

  private async load(name: string): Promise<GradBenchModule> {
    let module = this.defined.get(name);
    if (!module) {
      module = (await MODULES[name]!()).functions;
      this.defined.set(name, module);
    }
    return module;
  }
}

/**
 * The `min_runs` / `min_seconds` of an input; older evals sent `runs` (that many runs) instead, and
 * inputs with neither (hello's) run once.
 */
function runsOf(input: unknown): Runs {
  const fields = typeof input === "object" && input !== null ? (input as Record<string, unknown>) : {};
  const minRuns = typeof fields.min_runs === "number" ? fields.min_runs : typeof fields.runs === "number" ? fields.runs : 1;
  const minSeconds = typeof fields.min_seconds === "number" ? fields.min_seconds : 0;
  return { minRuns: Math.max(1, minRuns), minSeconds: Math.max(0, minSeconds) };
}

function idOf(message: unknown): number | null {
  if (typeof message !== "object" || message === null) return null;
  const id = (message as Record<string, unknown>).id;
  return typeof id === "number" && Number.isInteger(id) ? id : null;
}

function text(message: Record<string, unknown>, field: string): string {
  const value = message[field];
  if (typeof value !== "string") throw new MessageError(`a \`${String(message.kind)}\` message needs a string \`${field}\``);
  return value;
}

function failure(id: number | null, error: string): Response {
  return { id, success: false, error };
}

function abbreviate(line: string): string {
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
