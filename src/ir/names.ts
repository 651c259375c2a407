/**
 * Deterministic fresh names. A name is derived from a source name or a base (`t`, `i`, `dx`) and
 * suffixed with a number on a clash, never random: generated code can be snapshot-tested.
 */
export class NameManager {
  private readonly used: Set<string>;
  /** Names of compiler temporaries: the emitter may fold them into their single use. */
  readonly temporaries = new Set<string>();
  private counter = 0;

  constructor(reserved: Iterable<string>) {
    this.used = new Set([...RESERVED_WORDS, ...reserved]);
  }

  isClaimed(name: string): boolean {
    return this.claimed.has(name);
  }

  private readonly claimed = new Set<string>();

  /** Takes `name` as it is (a parameter or the first declaration of a source variable). */
  claim(name: string): string {
    this.claimed.add(name);
    this.used.add(name);
    return name;
  }

  /** A name not used anywhere in the function, derived from `base`. */
  fresh(base: string, temporary = false): string {
    let name: string;
    if (temporary && base === "t") {
      do name = `${base}${++this.counter}`;
      while (this.used.has(name));
    } else {
      name = base;
      for (let n = 2; this.used.has(name) || this.claimed.has(name); n++) name = `${base}${n}`;
    }
    this.claimed.add(name);
    this.used.add(name);
    if (temporary) this.temporaries.add(name);
    return name;
  }

  all(): Set<string> {
    return new Set(this.used);
  }
}

/** Words no generated variable may be called. */
const RESERVED_WORDS = [
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
  "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
  "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
  "let", "static", "implements", "interface", "package", "private", "protected", "public", "await", "arguments",
  "eval", "undefined", "NaN", "Infinity", "Math", "Array", "Float64Array", "Float32Array", "Object",
];

export function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
