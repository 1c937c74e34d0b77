import { Router } from 'zeromq';
import { exitWithParent } from './exit-with-parent.js';

/**
 * For a floor's child script: binds a ROUTER to a free loopback port, prints its endpoint on a line
 * of its own (what `waitForLine` reads), and closes it and exits on SIGTERM or when the parent goes away.
 */
export async function bindChildRouter(): Promise<Router> {
  const router = new Router({ linger: 0 });
  await router.bind('tcp://127.0.0.1:*');
  console.log(router.lastEndpoint);
  exitWithParent(router);
  return router;
}
