/**
 * API keys and workspace ids that can be checked without touching storage.
 *
 * A workspace id carries a MAC of its random part (keyed by `KEY_SIGNING_SECRET`, else `ADMIN_TOKEN`), so
 * a forged or guessed id is refused before any Durable Object is addressed: unknown keys create no
 * storage. A key is `er_<workspaceId>_<secret>`; only its SHA-256 is stored, with a visible prefix that
 * identifies it in listings and logs.
 */
import { config } from "./config";

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const encoder = new TextEncoder();

/** Random text over an alphabet (rejection-free: alphabets here divide 256 unevenly by < 1%). */
export function randomToken(length: number, alphabet = ID_ALPHABET): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return hex(new Uint8Array(digest));
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function signingSecret(env: object): string | null {
  const cfg = config(env);
  return cfg.KEY_SIGNING_SECRET ?? cfg.ADMIN_TOKEN ?? null;
}

async function mac(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`workspace:${text}`)));
  return [...sig.slice(0, 8)].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join("");
}

/** A new workspace id: `ws` + 12 random characters + an 8-character MAC. */
export async function newWorkspaceId(env: object): Promise<string> {
  const secret = signingSecret(env);
  if (!secret) throw new Error("workspace ids need KEY_SIGNING_SECRET or ADMIN_TOKEN");
  const random = randomToken(12);
  return `ws${random}${await mac(secret, random)}`;
}

/** True only for ids `newWorkspaceId` produced with this deployment's secret. */
export async function isGenuineWorkspaceId(env: object, id: string): Promise<boolean> {
  const m = /^ws([a-z0-9]{12})([a-z0-9]{8})$/.exec(id);
  const secret = signingSecret(env);
  if (!m || !secret) return false;
  const expected = await mac(secret, m[1]!);
  return constantTimeEqual(expected, m[2]!);
}

/** A new API key for a workspace, its stored hash and its visible prefix. */
export async function newApiKey(
  workspaceId: string,
): Promise<{ key: string; hash: string; prefix: string; id: string }> {
  const secret = randomToken(40, KEY_ALPHABET);
  const key = `er_${workspaceId}_${secret}`;
  return {
    key,
    hash: await sha256Hex(key),
    prefix: `er_${workspaceId}_${secret.slice(0, 6)}`,
    id: `key_${randomToken(16)}`,
  };
}

/** The workspace an API key claims (not yet verified), or null when the key is malformed. */
export function keyWorkspace(key: string): string | null {
  return /^er_([a-z0-9]{8,32})_[A-Za-z0-9]{20,64}$/.exec(key)?.[1] ?? null;
}

/** The part of a key that may appear in logs. */
export function keyPrefix(key: string): string {
  const m = /^(er_[a-z0-9]{8,32}_[A-Za-z0-9]{6})/.exec(key);
  return m ? m[1]! : "(dev key)";
}

/** Constant-time comparison for secrets of equal length. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
