/**
 * Size limits of a v3 collection sent inline (`collection: { format: "v3", files }`), checked on the raw
 * JSON before anything is parsed so that an oversized tree is refused cheaply (413, with a pointer).
 */
import type { LimitViolation } from "../limits";
import { utf8Length } from "../utf8";
import { convertV3 } from "./convert";

export { isV3Input } from "./convert";

export const V3_LIMITS = {
  /** Files in one tree. */
  files: 2000,
  /** UTF-8 bytes of all files together. */
  totalBytes: 12 * 1024 * 1024,
  /** UTF-8 bytes of one file. */
  fileBytes: 2 * 1024 * 1024,
} as const;

const pointer = (path: string) => `/files/${path.replace(/~/g, "~0").replace(/\//g, "~1")}`;

/**
 * The limits a raw v3 input breaks (empty when fine): the tree's own (files, bytes), then those of the
 * collection it converts to (`collectionLimits`, the v2.1 check: items, depth, script and header sizes…).
 * A tree that does not convert passes here; the plan reports its file and line (400).
 */
export function checkV3Limits(
  raw: { files?: unknown; collection?: unknown },
  collectionLimits?: (collection: unknown) => LimitViolation[],
): LimitViolation[] {
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
    const bytes = utf8Length(text);
    total += bytes;
    if (bytes > V3_LIMITS.fileBytes && out.length < 20) {
      out.push({
        pointer: pointer(path),
        message: `file '${path}' of ${bytes} bytes exceeds the limit of ${V3_LIMITS.fileBytes} (2 MiB)`,
      });
    }
  }
  if (total > V3_LIMITS.totalBytes || out.length || !collectionLimits) return fileOrTotal(out, total);
  let converted: unknown;
  try {
    const wanted = typeof raw.collection === "string" ? raw.collection : undefined;
    converted = convertV3({ files: files as Record<string, string>, collection: wanted }).collection;
  } catch {
    return [];
  }
  return collectionLimits(converted).map((v) => ({
    pointer: "/files",
    message: `${v.message} (in the collection the v3 files convert to)`,
  }));
}

function fileOrTotal(out: LimitViolation[], total: number): LimitViolation[] {
  if (total > V3_LIMITS.totalBytes) {
    out.unshift({
      pointer: "/files",
      message: `${total} bytes of YAML exceed the limit of ${V3_LIMITS.totalBytes} (12 MiB) for one collection`,
    });
  }
  return out;
}
