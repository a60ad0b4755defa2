/**
 * `edgerun run <uid> --postman-api-key K`, as Newman loads collections and environments from the Postman
 * API. The Postman API cannot be reached here: a local HTTP server stands in for it
 * (`EDGERUN_POSTMAN_API_URL`), answering as the API does (`{ collection }` / `{ environment }` wrappers,
 * `{ error: { name, message } }` with 401 for a wrong key).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommand, type RunArgs } from "../../cli/args";
import { buildRunBody } from "../../cli/inputs";
import { postmanApiRequest } from "../../cli/postman-api";

const COLLECTION_UID = "12345678-0a1b2c3d-1111-4222-8333-444455556666";
const ENVIRONMENT_UID = "12345678-9f8e7d6c-1111-4222-8333-444455556666";
const KEY = "PMAK-test-key";

let server: Server;
let base = "";
const seen: Array<{ url: string; key: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const key = req.headers["x-api-key"] as string | undefined;
    seen.push({ url: req.url ?? "", key });
    res.setHeader("content-type", "application/json");
    if (key !== KEY) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { name: "AuthenticationError", message: "Invalid API Key." } }));
      return;
    }
    if (req.url === `/collections/${COLLECTION_UID}`) {
      res.end(
        JSON.stringify({
          collection: {
            info: {
              name: "From the API",
              schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
            },
            item: [{ name: "r", request: { method: "GET", url: "http://127.0.0.1:1/" } }],
          },
        }),
      );
    } else if (req.url === `/environments/${ENVIRONMENT_UID}`) {
      res.end(JSON.stringify({ environment: { name: "Staging", values: [{ key: "base", value: "x" }] } }));
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { name: "instanceNotFoundError", message: "not found" } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.EDGERUN_POSTMAN_API_URL = base;
});

afterAll(async () => {
  delete process.env.EDGERUN_POSTMAN_API_URL;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function args(...argv: string[]): RunArgs {
  const command = parseCommand(["run", ...argv]);
  if (command.kind !== "run") throw new Error(command.kind);
  return command.args;
}

describe("Postman API inputs", () => {
  it("loads a collection and an environment by UID with the key in X-Api-Key", async () => {
    seen.length = 0;
    const body = await buildRunBody(args(COLLECTION_UID, "-e", ENVIRONMENT_UID, "--postman-api-key", KEY));
    expect(body.collection).toMatchObject({ info: { name: "From the API" } });
    expect(body.environment).toMatchObject({ name: "Staging", values: [{ key: "base", value: "x" }] });
    expect(seen).toEqual([
      { url: `/collections/${COLLECTION_UID}`, key: KEY },
      { url: `/environments/${ENVIRONMENT_UID}`, key: KEY },
    ]);
  });

  it("says what the API answered for a wrong key, without printing the key", async () => {
    const failing = buildRunBody(args(COLLECTION_UID, "--postman-api-key", "wrong"));
    await expect(failing).rejects.toThrow(
      `Could not fetch the collection from ${base}/collections/${COLLECTION_UID}: HTTP 401 (AuthenticationError: Invalid API Key.)`,
    );
  });

  it("moves a Postman API URL's apikey into the header (before --postman-api-key)", () => {
    const url = `https://api.getpostman.com/collections/${COLLECTION_UID}?apikey=${KEY}&x=1`;
    expect(
      postmanApiRequest({ location: url, resource: "collection", apiKey: "other", fileExists: false }),
    ).toEqual({
      url: `https://api.getpostman.com/collections/${COLLECTION_UID}?x=1`,
      headers: { "X-Api-Key": KEY },
    });
  });

  it("reads a file named like a UID, and leaves other locations alone", () => {
    const uid = { location: COLLECTION_UID, resource: "collection" as const, apiKey: KEY };
    expect(postmanApiRequest({ ...uid, fileExists: true })).toBeUndefined();
    expect(postmanApiRequest({ ...uid, apiKey: undefined, fileExists: false })).toBeUndefined();
    const other = { resource: "collection" as const, apiKey: KEY, fileExists: false };
    expect(postmanApiRequest({ ...other, location: "https://example.com/c.json" })).toBeUndefined();
    expect(postmanApiRequest({ ...other, location: "collection.json" })).toBeUndefined();
  });
});
