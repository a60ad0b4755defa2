// The soft fd limit raised for a long-lived local stack: it keeps each Durable Object used in the last
// ≈ 10 s open, 3 files each (SQLite db, -wal, -shm), so a soft limit of 1024 (a common default; macOS has
// 256) runs out after a burst of a few hundred runs. `withRaisedFdLimit` wraps a command in /bin/sh that
// raises the soft limit to the hard one (at most 65536; 10240 if that is refused) and execs it, so the
// command and its children (wrangler's workerd) inherit it. Windows has no such limit: unchanged there.
const RAISE_FD_LIMIT = `s=$(ulimit -Sn); h=$(ulimit -Hn); { [ "$h" = unlimited ] || [ "$h" -gt 65536 ]; } && h=65536
[ "$s" != unlimited ] && [ "$s" -lt "$h" ] && { ulimit -Sn "$h" 2>/dev/null || ulimit -Sn 10240 2>/dev/null; }
exec "$@"`;

/** `[command, args]` to spawn instead of `command args` (exit code 127: the command was not found). */
export function withRaisedFdLimit(command, args) {
  if (process.platform === "win32") return [command, args];
  return ["/bin/sh", ["-c", RAISE_FD_LIMIT, "sh", command, ...args]];
}
