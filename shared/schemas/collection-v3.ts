/**
 * A Postman Collection v3 tree sent inline: `collection: { format: "v3", files: { "<path>": "<yaml>" } }`.
 * Paths are the files' paths in the repository (`postman/collections/<name>/…`, optionally
 * `postman/environments/*.environment.yaml`) or relative to the collection's own directory. Size limits
 * (files, bytes) are checked before this schema, as 413 (shared/engine/v3/limits.ts).
 */
import * as z from "zod";
import { CollectionSchema } from "./collection";

export const CollectionV3InputSchema = z.strictObject({
  format: z.literal("v3"),
  files: z.record(z.string().min(1).max(1024), z.string()),
  /** Which collection under `postman/collections/` to run when `files` holds several. */
  collection: z.string().min(1).max(512).optional(),
  /** Use this environment from `postman/environments/` (by its `name`) when the run names none. */
  environment: z.string().min(1).max(512).optional(),
});
export type CollectionV3Input = z.infer<typeof CollectionV3InputSchema>;

/** A collection as the API accepts one to store or run: Postman v2.x JSON or a v3 tree. */
export const CollectionDocumentSchema = z.union([CollectionSchema, CollectionV3InputSchema]);
export type CollectionDocument = z.infer<typeof CollectionDocumentSchema>;
