/** Minimal typing for the part of xml2js the tests use to check that reports are well-formed XML. */
declare module "xml2js" {
  export function parseStringPromise(xml: string): Promise<Record<string, any>>;
}
