declare namespace Cloudflare {
  interface Env {
    TARGET: string;
  }
}
