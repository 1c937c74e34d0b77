export type ShutdownReason = 'SIGINT' | 'SIGTERM' | 'parent-disconnected';

/**
 * Resolves on the first SIGINT or SIGTERM, or when the parent that spawned this process with an
 * IPC channel goes away (so a crashed supervisor or test runner does not leave orphans behind).
 * Later signals are ignored while the caller shuts down.
 */
export function waitForShutdown(): Promise<ShutdownReason> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (reason: ShutdownReason): void => {
      if (done) return;
      done = true;
      resolve(reason);
    };
    process.on('SIGINT', () => finish('SIGINT'));
    process.on('SIGTERM', () => finish('SIGTERM'));
    if (process.channel !== undefined) {
      process.on('disconnect', () => finish('parent-disconnected'));
      // The channel must not by itself keep the process alive.
      process.channel.unref();
    }
  });
}
