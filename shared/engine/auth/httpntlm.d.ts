/** The part of httpntlm (postman-runtime's NTLM messages) the engine uses; the package has no types. */
declare module "httpntlm/ntlm.js" {
  /** A parsed type 2 (challenge) message; opaque to the engine. */
  export interface Type2Message {
    type: number;
    negotiateFlags: number;
  }
  interface NtlmIdentity {
    domain: string;
    workstation: string;
  }
  export function createType1Message(options: NtlmIdentity): string;
  export function parseType2Message(raw: string, callback: (err: Error) => void): Type2Message | null;
  export function createType3Message(
    challenge: Type2Message,
    options: NtlmIdentity & { username: string; password: string },
  ): string;
}
