/**
 * The echo half of the raw ZeroMQ floor, run as its own process (like Brainer's broker): a ROUTER
 * on loopback that sends every message straight back. Prints its endpoint on one line, exits on
 * SIGTERM or when its parent goes away.
 */
import { Router } from 'zeromq';

const router = new Router({ linger: 0 });
await router.bind('tcp://127.0.0.1:*');
console.log(router.lastEndpoint);
const stop = (): void => {
  router.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
try {
  for await (const frames of router) await router.send(frames);
} catch {
  // Closed.
}
