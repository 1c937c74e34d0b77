/**
 * The echo half of the raw ZeroMQ floor, run as its own process (like Brainer's broker): a ROUTER
 * on loopback that sends every message straight back. Prints its endpoint on one line, exits on
 * SIGTERM or when its parent goes away.
 */
import { Router } from 'zeromq';
import { exitWithParent } from './exit-with-parent.js';

const router = new Router({ linger: 0 });
await router.bind('tcp://127.0.0.1:*');
console.log(router.lastEndpoint);
exitWithParent(router);
try {
  for await (const frames of router) await router.send(frames);
} catch {
  // Closed.
}
