// pm.response.contentInfo() as postman-collection answers it: the MIME type and format (mime-format's
// table), charset, file extension (mime-db's first extension for the type) and a file name (from
// Content-Disposition, else `response.<ext>`); without a Content-Type the body's first bytes are sniffed
// (file-type 3.9, as the SDK bundles). Not part of the prelude: a library (build-sandbox-libs.mjs,
// `content-info`) the sandbox loads for scripts that mention contentInfo, so the tables cost only them.
import { utf8Bytes } from "./sdk-json";

interface MimeFormat {
  type?: string;
  format?: string;
  charset?: string;
  source: string;
}
declare const require: ((id: "file-type") => (bytes: Uint8Array) => { ext: string; mime: string } | null) &
  ((id: "mime-format") => { lookup(mime: string): MimeFormat }) &
  ((id: "edgerun:mime-extensions") => Record<string, string | undefined>);

/** What contentInfo() reads of a response. */
export interface ContentSource {
  contentType: unknown;
  disposition: unknown;
  body: string | undefined;
}

/** The answer, with the SDK's keys in its order (a key is left out when its value is empty). */
export interface ContentInfo {
  contentType?: string;
  mimeType?: string;
  mimeFormat?: string;
  charset?: string;
  fileExtension?: string;
  fileName?: string;
}

// RFC 6266 `filename*=charset'lang'value` (percent-encoded) and `filename=token` / `filename="quoted"`.
const EXT_VALUE =
  /;[ \t]*filename\*[ \t]*=[ \t]*([A-Za-z0-9!#$%&+^_`{}~-]+)'.*'((?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!#$&+.^_`|~-])+)[ \t]*/;
const PLAIN_VALUE =
  /;[ \t]*filename[ \t]*=[ \t]*("(?:[\x20!\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\x20-\x7e])*"|[!#$%&'*+.0-9A-Z^_`a-z|~-]+)[ \t]*/;

/** `filename*`'s value in the two charsets the SDK decodes (named in lower case); others give undefined. */
function decodeExtValue(charset: string, encoded: string): string | undefined {
  const latin1 = encoded.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
  if (charset === "iso-8859-1") return latin1.replace(/[^\x20-\x7e\xa0-\xff]/g, "?");
  if (charset !== "utf-8") return undefined;
  try {
    return decodeURIComponent(escape(latin1));
  } catch {
    return undefined; // not UTF-8: the plain `filename` parameter is used, if any
  }
}

/** The file name a Content-Disposition header gives, if any. */
function dispositionName(header: unknown): string | undefined {
  if (!header) return undefined;
  const text = String(header);
  const ext = EXT_VALUE.exec(text);
  const decoded = ext ? decodeExtValue(ext[1] ?? "", ext[2] ?? "") : undefined;
  if (decoded) return decoded;
  const plain = PLAIN_VALUE.exec(text)?.[1];
  if (plain?.startsWith('"')) return plain.slice(1, -1).replace(/\\([ -~])/g, "$1");
  return plain;
}

/** Response#contentInfo for the given headers and body. */
export function contentInfo(source: ContentSource): ContentInfo {
  let type = source.contentType ? String(source.contentType) : "";
  let sniffed: string | undefined;
  if (!type && source.body) {
    const found = require("file-type")(new Uint8Array(utf8Bytes(source.body.slice(0, 4100))));
    if (found) {
      type = found.mime;
      sniffed = found.ext;
    }
  }
  const mime = require("mime-format").lookup(type || "text/plain");
  const extension = sniffed || require("edgerun:mime-extensions")[mime.source] || "";
  const fileName = dispositionName(source.disposition) || `response${extension ? `.${extension}` : ""}`;
  const info: ContentInfo = {};
  if (mime.source) info.contentType = mime.source;
  if (mime.type) info.mimeType = mime.type;
  if (mime.format) info.mimeFormat = mime.format;
  info.charset = mime.charset || "utf8";
  if (extension) info.fileExtension = extension;
  info.fileName = fileName;
  return info;
}
