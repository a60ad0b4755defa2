/** mime-format (postman-collection's MIME table, used by Newman's `--verbose`) ships no types. */
declare module "mime-format" {
  interface MimeFormat {
    /** The type looked up, without parameters (`application/json`). */
    source?: string;
    /** `text`, `image`, `audio`, `video`, `embed` or `unknown`. */
    type?: string;
    /** `json`, `xml`, `html`, `plain`, … */
    format?: string;
    charset?: string;
  }
  const mimeFormat: { lookup(mime: string): MimeFormat };
  export default mimeFormat;
}
