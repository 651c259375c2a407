/**
 * The command line of `npm run bench`, read strictly: a mistyped flag (`--deopt`, `--olny gmm`)
 * would otherwise be ignored and start the whole timing run, minutes long, instead of what was asked.
 */
import { parseArgs } from "node:util";

export const USAGE = `usage: npm run bench -- [--only NAME] [--no-peers] [--check | --deopts | --checkpoint] [--json FILE]

  --only NAME   only the problems whose name contains NAME
  --no-peers    without the peer libraries even when they are installed
  --check       only check every contender's gradient against tsad's, no timing
  --deopts      instead of timing: does V8 keep each generated derivative optimised?
  --checkpoint  checkpointed gradients of long loops against unbounded tapes (memory and time)
  --json FILE   also write the timing records as JSON
`;

export interface BenchArgs {
  only?: string;
  json?: string;
  noPeers: boolean;
  check: boolean;
  deopts: boolean;
  checkpoint: boolean;
  help: boolean;
  /** Set by the parent for the process that measures one problem. */
  problem?: number;
  result?: string;
}

/** A mistake on the command line; the message says which. */
export class BenchUsageError extends Error {}

export function parseBenchArgs(argv: string[], problemNames: readonly string[]): BenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        only: { type: "string" },
        json: { type: "string" },
        "no-peers": { type: "boolean", default: false },
        check: { type: "boolean", default: false },
        deopts: { type: "boolean", default: false },
        checkpoint: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        problem: { type: "string" },
        result: { type: "string" },
      },
    }));
  } catch (error) {
    // parseArgs's own message names the flag ("Unknown option '--deopt'", "Option '--only <value>' argument missing").
    throw new BenchUsageError((error as Error).message.split("\n")[0]!.replace(/\. To specify a positional argument.*$/, ""));
  }
  const args: BenchArgs = { only: values.only?.toLowerCase(), json: values.json, noPeers: values["no-peers"]!, check: values.check!, deopts: values.deopts!, checkpoint: values.checkpoint!, help: values.help!, result: values.result };
  if (values.problem !== undefined) {
    const index = Number(values.problem);
    if (!Number.isInteger(index) || index < 0 || index >= problemNames.length || values.result === undefined) throw new BenchUsageError(`--problem wants an index below ${problemNames.length} and --result FILE`);
    args.problem = index;
  }
  for (const [value, flag] of [[values.only, "--only"], [values.json, "--json"]] as const) {
    if (value === "") throw new BenchUsageError(`${flag} wants a value`);
  }
  if (args.deopts && args.json) throw new BenchUsageError("--json writes the timing records; --deopts prints its report only");
  if ([args.deopts, args.check, args.checkpoint].filter(Boolean).length > 1) throw new BenchUsageError("--check, --deopts and --checkpoint are different runs: choose one");
  // --checkpoint has problems of its own (long loops), matched by --only there.
  if (args.only !== undefined && !args.checkpoint && !problemNames.some((name) => name.includes(args.only!))) {
    throw new BenchUsageError(`no problem's name contains '${values.only}'; the problems are ${[...new Set(problemNames)].join(", ")}`);
  }
  return args;
}
