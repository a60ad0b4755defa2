/**
 * An NTLM-protected HTTP target (MS-NTHT), bound to 127.0.0.1 on a free port, that authenticates the
 * connection, as IIS does: a request without `Authorization` gets `401 WWW-Authenticate: NTLM`, a type 1
 * message gets a type 2 challenge remembered for that socket only, and a type 3 message on the same
 * socket is checked (NTLMv2, or NTLM2 session response when the type 2 offers no target info) against
 * the one account it knows. Under `/ntlm/session` the socket then stays authenticated and its later
 * requests pass without auth; elsewhere each request needs its own handshake (so tests stay independent
 * of which connection a client reuses). A type 3 on another socket than its type 1 fails, so a client
 * that does not keep the connection for the handshake cannot pass.
 *
 * Paths: `/ntlm` answers JSON `{ authenticated, user, domain, workstation }`; `/ntlm/no-challenge`
 * answers the type 1 with a bare `WWW-Authenticate: NTLM` (no type 2); `/ntlm/negotiate` offers
 * `Negotiate` and `NTLM` as two headers; `?notargetinfo` makes the type 2 offer no target info.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { Socket } from "node:net";

const ntlm = createRequire(import.meta.url)("httpntlm/ntlm.js") as {
  create_NT_hashed_password(password: string): Buffer;
};

export interface NtlmAccount {
  username: string;
  password: string;
  domain: string;
}

export interface NtlmServer {
  url: string;
  /** Every request as received: path, the socket's number, the Authorization message type (0: none). */
  seen: Array<{ path: string; socket: number; type: number }>;
  close(): Promise<void>;
}

const FLAG_UNICODE = 0x1;
const FLAG_NTLM = 0x200;
const FLAG_EXTENDED_SECURITY = 0x80000;
const FLAG_TARGET_INFO = 0x800000;

interface SocketState {
  id: number;
  challenge?: Buffer;
  user?: { user: string; domain: string; workstation: string };
}

/** The type 2 message: the server challenge and, unless left out, a target info with only MsvAvEOL. */
function challengeMessage(challenge: Buffer, targetInfo: boolean): string {
  const target = Buffer.from("EDGERUN", "utf16le");
  const info = targetInfo ? Buffer.alloc(4) : Buffer.alloc(0);
  const head = Buffer.alloc(48);
  head.write("NTLMSSP\0", 0, "ascii");
  head.writeUInt32LE(2, 8);
  head.writeUInt16LE(target.length, 12);
  head.writeUInt16LE(target.length, 14);
  head.writeUInt32LE(48, 16);
  const flags = FLAG_UNICODE | FLAG_NTLM | FLAG_EXTENDED_SECURITY | (targetInfo ? FLAG_TARGET_INFO : 0);
  head.writeUInt32LE(flags >>> 0, 20);
  challenge.copy(head, 24);
  head.writeUInt16LE(info.length, 40);
  head.writeUInt16LE(info.length, 42);
  head.writeUInt32LE(48 + target.length, 44);
  return Buffer.concat([head, target, info]).toString("base64");
}

function field(buf: Buffer, at: number): Buffer {
  const len = buf.readUInt16LE(at);
  const offset = buf.readUInt32LE(at + 4);
  return buf.subarray(offset, offset + len);
}

/** Checks a type 3 message against the account; the user it names when it proves the password. */
function verify(msg: Buffer, challenge: Buffer, account: NtlmAccount): SocketState["user"] | undefined {
  const lm = field(msg, 12);
  const nt = field(msg, 20);
  const domain = field(msg, 28).toString("utf16le");
  const user = field(msg, 36).toString("utf16le");
  const workstation = field(msg, 44).toString("utf16le");
  if (user.toLowerCase() !== account.username.toLowerCase()) return undefined;
  const hash = ntlm.create_NT_hashed_password(account.password);
  let ok: boolean;
  if (nt.length > 24) {
    // NTLMv2: NTProofStr = HMAC-MD5(NTOWFv2, serverChallenge || blob)
    const owf = createHmac("md5", hash)
      .update(Buffer.from(user.toUpperCase() + domain, "utf16le"))
      .digest();
    const blob = nt.subarray(16);
    const proof = createHmac("md5", owf)
      .update(Buffer.concat([challenge, blob]))
      .digest();
    ok = proof.equals(nt.subarray(0, 16)) && domain.toUpperCase() === account.domain.toUpperCase();
  } else {
    // NTLM2 session response: DES(NT hash, MD5(serverChallenge || clientChallenge)[0..8])
    const session = createHash("md5")
      .update(Buffer.concat([challenge, lm.subarray(0, 8)]))
      .digest()
      .subarray(0, 8);
    ok = nt.equals(desResponse(hash, session));
  }
  return ok ? { user, domain, workstation } : undefined;
}

/** DESL (MS-NLMP 6): three DES encryptions of the challenge under the 16-byte hash padded to 21. */
function desResponse(hash: Buffer, data: Buffer): Buffer {
  const des = createRequire(import.meta.url)("des.js") as {
    DES: { create(o: { type: string; key: Buffer }): { update(d: Buffer): number[] } };
  };
  const padded = Buffer.concat([hash, Buffer.alloc(5)]);
  const parts = [0, 7, 14].map((i) => {
    const key = expandKey(padded.subarray(i, i + 7));
    return Buffer.from(des.DES.create({ type: "encrypt", key }).update(data));
  });
  return Buffer.concat(parts);
}

/** A 7-byte key as DES's 8 bytes (parity bits left zero, as DES ignores them). */
function expandKey(k: Buffer): Buffer {
  const out = Buffer.alloc(8);
  out[0] = k[0] ?? 0;
  for (let i = 1; i < 7; i++) out[i] = (((k[i - 1] ?? 0) << (8 - i)) | ((k[i] ?? 0) >> i)) & 0xff;
  out[7] = ((k[6] ?? 0) << 1) & 0xff;
  for (let i = 0; i < 8; i++) out[i] = (out[i] ?? 0) & 0xfe;
  return out;
}

function messageType(header: string | undefined): { type: number; msg?: Buffer } {
  const m = /^NTLM\s+(\S+)$/i.exec(header ?? "");
  if (!m?.[1]) return { type: 0 };
  const msg = Buffer.from(m[1], "base64");
  return msg.length >= 12 ? { type: msg.readUInt32LE(8), msg } : { type: -1 };
}

/** Starts the target; `account` is the one user it accepts. */
export async function startNtlmServer(account: NtlmAccount): Promise<NtlmServer> {
  const sockets = new Set<Socket>();
  const states = new WeakMap<Socket, SocketState>();
  let next = 0;
  const seen: NtlmServer["seen"] = [];
  const deny = (res: ServerResponse, offers: string[]) => {
    res.writeHead(
      401,
      [...offers.map((o) => ["WWW-Authenticate", o]), ["Content-Type", "text/plain"]].flat(),
    );
    res.end("unauthorized");
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    let state = states.get(socket);
    if (!state) {
      state = { id: next++ };
      states.set(socket, state);
    }
    const url = new URL(req.url ?? "/", "http://x");
    const { type, msg } = messageType(req.headers.authorization);
    seen.push({ path: url.pathname, socket: state.id, type });
    const offers = url.pathname === "/ntlm/negotiate" ? ["Negotiate", "NTLM"] : ["NTLM"];
    if (type === 1) {
      if (url.pathname === "/ntlm/no-challenge") return deny(res, ["NTLM"]);
      state.challenge = randomBytes(8);
      return deny(res, [`NTLM ${challengeMessage(state.challenge, !url.searchParams.has("notargetinfo"))}`]);
    }
    if (type === 3 && msg && state.challenge) {
      state.user = verify(msg, state.challenge, account);
      state.challenge = undefined;
    }
    const user = state.user;
    if (!user) return deny(res, offers);
    if (url.pathname !== "/ntlm/session") state.user = undefined;
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ authenticated: true, ...user }));
  };
  const server = createServer({ keepAliveTimeout: 10_000 }, handler);
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
