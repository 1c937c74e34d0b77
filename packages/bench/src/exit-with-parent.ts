/**
 * For a benchmark's child process: closes `socket` and exits on SIGTERM, or when the parent goes
 * away (the IPC channel closes), so that nothing outlives the run.
 */
export function exitWithParent(socket: { close(): void }): void {
  const stop = (): void => {
    socket.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}
