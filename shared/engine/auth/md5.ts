/**
 * MD5 for HTTP Digest auth: WebCrypto has no MD5 and digest servers still require it. `node:crypto` is
 * what postman-runtime uses, and it is available in workerd (`nodejs_compat`) and in Node alike.
 */
import { createHash } from "node:crypto";

export function md5Hex(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}
