/**
 * A minimal Chrome DevTools protocol client for workerd's inspector (`inspectorPort` on the local
 * stack): profiles and heap figures of the Worker's isolate, from a benchmark, without DevTools.
 */
export interface Inspector {
  send(method: string, params?: object): Promise<unknown>;
  close(): void;
}

/** Connects to the Worker's isolate (the target whose title names `edgerun`). */
export async function connectInspector(port: number): Promise<Inspector> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as Array<{
    title: string;
    webSocketDebuggerUrl: string;
  }>;
  const target = targets.find((t) => t.title.includes("edgerun")) ?? targets[0]!;
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
  let nextId = 1;
  const pending = new Map<number, (v: unknown) => void>();
  ws.addEventListener("message", (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  return {
    send: (method, params = {}) =>
      new Promise<unknown>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}
