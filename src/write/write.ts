/**
 * Writing generated modules: all or nothing. Every module goes to a temporary file beside its
 * target first; only when all are written are they renamed into place, so a failed run leaves
 * existing outputs exactly as they were.
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve, isAbsolute } from "node:path";

export interface OutputFile {
  path: string;
  text: string;
}

export class WriteError extends Error {}

export function writeAtomically(files: OutputFile[], root?: string): void {
  for (const file of files) {
    if (root) {
      const rel = relative(resolve(root), resolve(file.path));
      if (rel.startsWith("..") || isAbsolute(rel)) throw new WriteError(`refusing to write ${file.path} outside ${root}`);
    }
    const dir = dirname(file.path);
    try {
      if (!statSync(dir).isDirectory()) throw new WriteError(`${dir} is not a folder`);
    } catch (error) {
      if (error instanceof WriteError) throw error;
      try {
        mkdirSync(dir, { recursive: true });
      } catch (cause) {
        throw new WriteError(`cannot create the output folder ${dir}: ${(cause as Error).message}`);
      }
    }
  }
  const staged: { temp: string; path: string }[] = [];
  try {
    for (const file of files) {
      const temp = `${file.path}.${process.pid}.tmp`;
      writeFileSync(temp, file.text);
      staged.push({ temp, path: file.path });
    }
  } catch (cause) {
    for (const { temp } of staged) rmSync(temp, { force: true });
    throw new WriteError(`cannot write the output: ${(cause as Error).message}`);
  }
  for (const { temp, path } of staged) renameSync(temp, path);
}
