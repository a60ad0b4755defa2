/**
 * Stored collections and environments, API keys and list pagination (API-CONTRACT.md §2).
 * The OpenAPI document is generated from these schemas.
 */
import * as z from "zod";
import { EnvironmentSchema } from "./collection";
import { CollectionDocumentSchema } from "./collection-v3";

export const ResourceKindSchema = z.enum(["collection", "environment"]);
export type ResourceKind = z.infer<typeof ResourceKindSchema>;

export const StoredResourceMetaSchema = z.object({
  id: z.string(),
  kind: ResourceKindSchema,
  name: z.string(),
  /** The version this answer describes (the latest unless `?version=N` asked for another). */
  version: z.number().int().min(1),
  latestVersion: z.number().int().min(1),
  etag: z.string(),
  /** Stored size in characters of JSON. */
  size: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StoredResourceMeta = z.infer<typeof StoredResourceMetaSchema>;

export const StoredResourceSchema = StoredResourceMetaSchema.extend({ content: z.unknown() });
/** A stored document as it crosses RPC: its JSON text (an `unknown` value would not type across RPC). */
export type StoredResource = StoredResourceMeta & { json: string };

export const StoredCollectionSchema = StoredResourceMetaSchema.extend({
  collection: CollectionDocumentSchema,
});
export const StoredEnvironmentSchema = StoredResourceMetaSchema.extend({ environment: EnvironmentSchema });

export const ResourceListSchema = (key: "collections" | "environments") =>
  z.object({ [key]: z.array(StoredResourceMetaSchema), nextCursor: z.string().nullable() });

/** Query of every cursor-paginated list. A cursor that no page produced is a 400, never an empty page. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(512)
    .refine((c) => decodeCursor(c) !== null, "cursor is not one this API produced")
    .optional(),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

export const VersionQuerySchema = z.object({
  version: z.coerce
    .number({ error: "version must be a whole number from 1" })
    .int("version must be a whole number from 1")
    .min(1, "version must be a whole number from 1")
    .optional(),
});

/** Opaque keyset cursor over (created_at, id), shared by every list. */
export function encodeCursor(createdAt: string, id: string): string {
  return btoa(JSON.stringify([createdAt, id])).replace(/=+$/, "");
}

/** The decoded cursor, or null when the text is not one `encodeCursor` produced. */
export function decodeCursor(cursor: string): [string, string] | null {
  try {
    const padded = cursor + "=".repeat((4 - (cursor.length % 4)) % 4);
    const value = JSON.parse(atob(padded)) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      typeof value[1] === "string" &&
      !Number.isNaN(Date.parse(value[0]))
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // not base64 or not JSON: not ours
  }
  return null;
}

export const ApiKeyInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The key's visible beginning: identifies it in listings and logs without revealing it. */
  prefix: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfoSchema>;

export const CreateApiKeyBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(128).default("api key"),
});
