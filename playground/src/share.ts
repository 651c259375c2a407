/**
 * The shareable link: the page's state (source, function, wrt, mode, arguments, plot ranges) as
 * JSON, deflated with the browser's CompressionStream and written base64url into the URL hash
 * (`#s=…`), so a link carries everything and no server stores anything.
 */
/** What the plot is drawn from: arguments (JSON text by parameter name) and ranges. */
export interface PlotSettings {
  args: Record<string, string>;
  family?: { param: string; values: number[] };
  xCoord?: number;
  yCoord?: number;
  xRange?: [number, number];
  yRange?: [number, number];
}

export interface SharedState extends PlotSettings {
  source: string;
  example?: string;
  fn?: string;
  wrt?: string[];
  emit?: string[];
  inline?: boolean;
}

const PREFIX = "#s=";

export async function encodeState(state: SharedState): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(state));
  const deflated = await pipe(bytes, new CompressionStream("deflate-raw"));
  return PREFIX + toBase64Url(deflated);
}

/** The state in a hash made by encodeState; undefined for any other hash (or a damaged one). */
export async function decodeState(hash: string): Promise<SharedState | undefined> {
  if (!hash.startsWith(PREFIX)) return undefined;
  try {
    const inflated = await pipe(fromBase64Url(hash.slice(PREFIX.length)), new DecompressionStream("deflate-raw"));
    const state = JSON.parse(new TextDecoder().decode(inflated)) as SharedState;
    return typeof state.source === "string" && typeof state.args === "object" ? state : undefined;
  } catch {
    return undefined;
  }
}

async function pipe(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
