/**
 * Whether a process still exists, for files that record their owner's PID (the bundle's build lock, a
 * runtime directory): a killed CLI leaves them behind, and only a dead owner's may be taken over.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
