/**
 * The echo half of the raw ZeroMQ floor, run as its own process (like Brainer's broker): a ROUTER
 * on loopback that sends every message straight back. Prints its endpoint on one line, exits on
 * SIGTERM or when its parent goes away.
 */
import { bindChildRouter } from './child-router.js';

const router = await bindChildRouter();
try {
  for await (const frames of router) await router.send(frames);
} catch {
  // Closed.
}
