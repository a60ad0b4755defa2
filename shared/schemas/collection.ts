/**
 * Postman Collection v2.0 / v2.1 schemas.
 *
 * Deliberately lenient where Postman itself is lenient (unknown keys pass through, many fields accept
 * either a string or a structured form) and strict where a wrong shape would make a run meaningless.
 * These schemas validate API input; the engine normalises the parsed value (see engine/normalize.ts).
 */
import * as z from "zod";
import { collectionInput, headerInput, listInput, rawBodyInput, scopeInput } from "../engine/input-shapes";

/** JSON-compatible value: what variables and script state may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const JsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(JsonValueSchema),
    z.record(z.string(), JsonValueSchema),
  ]),
);

export const VariableSchema = z.looseObject({
  key: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  value: z.unknown().optional(),
  type: z.string().optional(),
  disabled: z.boolean().optional(),
  enabled: z.boolean().optional(),
});
export type Variable = z.infer<typeof VariableSchema>;

export const KeyValueSchema = z.looseObject({
  key: z.string().nullish(),
  value: z.unknown().optional(),
  disabled: z.boolean().optional(),
  description: z.unknown().optional(),
  type: z.string().optional(),
});
export type KeyValue = z.infer<typeof KeyValueSchema>;

export const FormParamSchema = z.looseObject({
  key: z.string().nullish(),
  value: z.unknown().optional(),
  src: z.union([z.string(), z.array(z.string()), z.null()]).optional(),
  type: z.string().optional(),
  contentType: z.string().optional(),
  disabled: z.boolean().optional(),
});
export type FormParam = z.infer<typeof FormParamSchema>;

export const UrlObjectSchema = z.looseObject({
  raw: z.string().optional(),
  protocol: z.string().optional(),
  host: z.union([z.string(), z.array(z.string())]).optional(),
  port: z.union([z.string(), z.number()]).optional(),
  path: z
    .union([
      z.string(),
      z.array(
        z.union([z.string(), z.looseObject({ type: z.string().optional(), value: z.string().optional() })]),
      ),
    ])
    .optional(),
  query: z.array(KeyValueSchema).optional(),
  hash: z.string().optional(),
  variable: z.array(VariableSchema).optional(),
});
export type UrlObject = z.infer<typeof UrlObjectSchema>;
export const UrlSchema = z.union([z.string(), UrlObjectSchema]);
export type Url = z.infer<typeof UrlSchema>;

export const AuthAttributeSchema = z.looseObject({
  key: z.string(),
  value: z.unknown().optional(),
  type: z.string().optional(),
});
export const AuthSchema = z.looseObject({
  type: z.string(),
});
export type Auth = z.infer<typeof AuthSchema> & Record<string, unknown>;

export const BodySchema = z.looseObject({
  mode: z.string().optional(),
  raw: z.preprocess(rawBodyInput, z.string()).optional(),
  urlencoded: z.array(KeyValueSchema).optional(),
  formdata: z.array(FormParamSchema).optional(),
  file: z.looseObject({ src: z.string().nullish(), content: z.string().optional() }).optional(),
  graphql: z.looseObject({ query: z.string().optional(), variables: z.unknown().optional() }).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  disabled: z.boolean().optional(),
});
export type Body = z.infer<typeof BodySchema>;

export const ScriptSchema = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  exec: z.union([z.string(), z.array(z.string())]).optional(),
  src: z.unknown().optional(),
  name: z.string().optional(),
});
export const EventSchema = z.looseObject({
  id: z.string().optional(),
  listen: z.string(),
  script: z.union([ScriptSchema, z.string()]).optional(),
  disabled: z.boolean().optional(),
});
export type CollectionEvent = z.infer<typeof EventSchema>;

export const RequestSchema = z.looseObject({
  // `null` (some exporters write it) is an empty URL, as postman-collection reads it: the request fails alone.
  url: UrlSchema.nullish(),
  method: z.string().optional(),
  header: z.preprocess(headerInput, z.union([z.array(KeyValueSchema), z.string()])).optional(),
  body: BodySchema.nullish(),
  auth: AuthSchema.nullish(),
  description: z.unknown().optional(),
  proxy: z.unknown().optional(),
  certificate: z.unknown().optional(),
});
export type Request = z.infer<typeof RequestSchema>;

export const ProtocolProfileBehaviorSchema = z.record(z.string(), z.unknown());

export interface Item {
  id?: string;
  _postman_id?: string;
  name?: string;
  description?: unknown;
  variable?: Variable[];
  event?: CollectionEvent[];
  request?: Request | string;
  response?: unknown[];
  auth?: Auth | null;
  item?: Item[];
  protocolProfileBehavior?: Record<string, unknown>;
  [key: string]: unknown;
}

export const ItemSchema: z.ZodType<Item> = z.lazy(() =>
  z.looseObject({
    id: z.string().optional(),
    _postman_id: z.string().optional(),
    name: z.string().optional(),
    description: z.unknown().optional(),
    variable: z.array(VariableSchema).optional(),
    event: z.preprocess(listInput, z.array(EventSchema)).optional(),
    request: z.union([RequestSchema, z.string()]).optional(),
    response: z.array(z.unknown()).optional(),
    auth: AuthSchema.nullish(),
    item: z.array(ItemSchema).optional(),
    protocolProfileBehavior: ProtocolProfileBehaviorSchema.optional(),
  }),
);

export const CollectionInfoSchema = z.looseObject({
  name: z.string({ error: "info.name is required: every Postman collection has a name" }),
  _postman_id: z.string().optional(),
  schema: z.string().optional(),
  description: z.unknown().optional(),
  version: z.unknown().optional(),
});

/** A collection in any shape Newman runs (see engine/input-shapes.ts), validated as v2.0/v2.1. */
export const CollectionSchema = z.preprocess(
  collectionInput,
  z.looseObject({
    info: CollectionInfoSchema,
    item: z.array(ItemSchema),
    event: z.preprocess(listInput, z.array(EventSchema)).optional(),
    variable: z.array(VariableSchema).optional(),
    auth: AuthSchema.nullish(),
    protocolProfileBehavior: ProtocolProfileBehaviorSchema.optional(),
  }),
);
export type Collection = z.infer<typeof CollectionSchema>;

/** Postman environment / globals export: `{ name, values: [{ key, value, type, enabled }] }`. */
export const EnvironmentSchema = z.preprocess(
  scopeInput,
  z.looseObject({
    id: z.string().optional(),
    name: z.string().optional(),
    values: z.array(VariableSchema).default([]),
  }),
);
export type Environment = z.infer<typeof EnvironmentSchema>;
