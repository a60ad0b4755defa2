/**
 * Durable Object addressing in one place: a run is `<workspace>:<run id>` (another workspace's id cannot
 * reach it), a workspace is its id.
 */

/** The coordinator of one run; `locationHint` matters only on the object's first use. */
export function runStub(
  env: Env,
  workspaceId: string,
  runId: string,
  locationHint?: DurableObjectLocationHint,
) {
  const id = env.RUN_COORDINATOR.idFromName(`${workspaceId}:${runId}`);
  return env.RUN_COORDINATOR.get(id, locationHint ? { locationHint } : undefined);
}

export function workspaceStub(env: Env, workspaceId: string) {
  return env.WORKSPACE.get(env.WORKSPACE.idFromName(workspaceId));
}
