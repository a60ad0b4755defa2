/**
 * Size limits of a v3 collection sent inline (`collection: { format: "v3", files }`), checked on the raw
 * JSON before anything is parsed so that an oversized tree is refused cheaply (413, with a pointer).
 */
import type { CollectionV3Input } from "../../schemas/collection-v3";
import type { LimitViolation } from "../limits";

export const V3_LIMITS = {
  /** Files in one tree. */
  files: 2000,
  /** UTF-8 bytes of all files together. */
  totalBytes: 12 * 1024 * 1024,
  /** UTF-8 bytes of one file. */
  fileBytes: 2 * 1024 * 1024,
} as const;

/** Whether a raw `collection` value is a v3 tree rather than v2.x JSON. */
export function isV3Input(raw: unknown): raw is CollectionV3Input {
  return !!raw && typeof raw === "object" && (raw as { format?: unknown }).format === "v3";
}

/** UTF-8 length without allocating (Workers have no Buffer). */
function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const pointer = (path: string) => `/files/${path.replace(/~/g, "~0").replace(/\//g, "~1")}`;

/** The limits a raw v3 input breaks (empty when fine). */
export function checkV3Limits(raw: { files?: unknown }): LimitViolation[] {
  const files: unknown = raw.files;
  if (!files || typeof files !== "object") return [];
  const list = Object.entries(files as Record<string, unknown>);
  if (list.length > V3_LIMITS.files) {
    return [{ pointer: "/files", message: `${list.length} files exceed the limit of ${V3_LIMITS.files}` }];
  }
  const out: LimitViolation[] = [];
  let total = 0;
  for (const [path, text] of list) {
    if (typeof text !== "string") continue;
    const bytes = utf8Bytes(text);
    total += bytes;
    if (bytes > V3_LIMITS.fileBytes && out.length < 20) {
      out.push({
        pointer: pointer(path),
        message: `file '${path}' of ${bytes} bytes exceeds the limit of ${V3_LIMITS.fileBytes} (2 MiB)`,
      });
    }
  }
  if (total > V3_LIMITS.totalBytes) {
    out.unshift({
      pointer: "/files",
      message: `${total} bytes of YAML exceed the limit of ${V3_LIMITS.totalBytes} (12 MiB) for one collection`,
    });
  }
  return out;
}
