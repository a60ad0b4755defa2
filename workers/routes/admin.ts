/**
 * Admin API: creates workspaces and their first API key (shown once; only its hash is stored).
 */
import { Hono } from "hono";
import * as z from "zod";
import { sha256Hex } from "../middleware/auth";
import { ProblemError, validationProblem } from "../problem";
import type { AppEnv } from "../types";

export const admin = new Hono<AppEnv>();

const CreateWorkspaceSchema = z.strictObject({ name: z.string().trim().min(1).max(128) });

function randomToken(length: number, alphabet: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

admin.post("/workspaces", async (c) => {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ProblemError(400, "Malformed JSON", "The request body is not valid JSON.");
  }
  const parsed = CreateWorkspaceSchema.safeParse(body);
  if (!parsed.success) throw validationProblem(parsed.error);
  const id = `ws${randomToken(14, "abcdefghijklmnopqrstuvwxyz0123456789")}`;
  const apiKey = `er_${id}_${randomToken(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")}`;
  await c.env.WORKSPACE.get(c.env.WORKSPACE.idFromName(id)).initialize(
    parsed.data.name,
    await sha256Hex(apiKey),
  );
  return c.json({ workspace: { id, name: parsed.data.name }, apiKey }, 201);
});
