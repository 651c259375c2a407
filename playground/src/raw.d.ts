/** `import text from "raw:./file"`: the file's text (playground/build.ts resolves these). */
declare module "raw:*" {
  const text: string;
  export default text;
}
