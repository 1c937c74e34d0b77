import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { startCluster, waitFor } from '@brainer/test-utils';
import { loadBulk } from '../src/index.js';

// The live status page (issue 19 item 2) in a real headless Chromium: Debian's chromium, driven by
// puppeteer-core (whose own browser download is not used). Without chromium it skips, loudly; CI
// installs it (.ci/run).
const CHROMIUM = process.env.BRAINER_CHROMIUM ?? '/usr/bin/chromium';
// The README's picture is taken again only when asked (BRAINER_UPDATE_SCREENSHOT=1), so that a test
// run leaves the checkout as it found it.
const SCREENSHOT =
  process.env.BRAINER_UPDATE_SCREENSHOT === '1'
    ? fileURLToPath(new URL('../../../../docs/status-page.png', import.meta.url))
    : join(tmpdir(), `brainer-status-page-${process.pid}.png`);
const KEYS = 40_000;
const VALUE_BYTES = 100;

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `\n!!! status-page.test: SKIPPED: no chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) or set BRAINER_CHROMIUM. !!!\n`,
  );
}
const browserTest = haveChromium ? test.serial : test.skip;
const because = haveChromium ? '' : ` [skipped: no chromium at ${CHROMIUM}]`;

browserTest(`the status page shows a node join, turn ready and be killed, live${because}`, async (t) => {
  const { default: puppeteer } = await import('puppeteer-core');
  // Small chunks, one chunk of credit: the join lasts long enough to be watched.
  const cluster = await startCluster({
    nodes: 2,
    brokerArgs: ['--http', '0', '--status-interval-ms', '200'],
    nodeArgs: ['--snapshot-chunk-entries', '5'],
  });
  t.teardown(() => cluster.stop());
  const base = cluster.broker.readyLine.http!;
  const client = await cluster.client({ timeoutMs: 20_000 });
  await loadBulk(client, KEYS, VALUE_BYTES);

  // Some traffic for the sparklines, through the broker, for as long as the test runs.
  let writing = true;
  const traffic = (async () => {
    for (let i = 0; writing; i++) {
      await client.set(`traffic:${i % 100}`, String(i)).catch(() => undefined);
      await client.get(`traffic:${i % 100}`).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  t.teardown(async () => {
    writing = false;
    await traffic;
  });

  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespace for the sandbox; the page is our own.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 720, deviceScaleFactor: 1 });
  const offMachine: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.origin !== new URL(base).origin) offMachine.push(request.url());
  });
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('pageerror', (error) => consoleErrors.push(String(error)));

  await page.goto(`${base}/`, { waitUntil: 'load' });
  const row = (id: string, state?: string): string => `#nodes tr[data-node="${id}"]${state === undefined ? '' : `[data-state="${state}"]`}`;
  await page.waitForSelector(row('node1', 'ready'), { timeout: 20_000 });
  await page.waitForSelector(row('node2', 'ready'), { timeout: 20_000 });
  t.is(await page.$eval('#connection', (el) => el.textContent), 'live');
  t.is(await page.$$eval('#ring path.arc[data-node="node1"]', (arcs) => arcs.length > 0), true, 'node1 is on the ring');
  t.deepEqual(await page.$$eval('#ring-legend li', (items) => items.map((li) => li.getAttribute('data-node'))), ['node1', 'node2']);
  const broker = await page.$eval('#epoch', (el) => el.textContent);
  t.regex(broker ?? '', /^\d+$/, 'the broker epoch is shown');
  const cells = await page.$eval(row('node1'), (tr) =>
    Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.className.replace('num ', ''), td.textContent])),
  );
  t.regex(cells.keys!, /^\d{2},\d{3}$/, `keys: ${cells.keys}`);
  t.regex(cells.digest!, /^[0-9a-f]{16}$/);
  t.regex(cells.lease!, /^\d\.\d s$|^none$/);
  t.regex(cells.share!, /^\d+\.\d %$/);
  t.regex(cells.endpoint!, /^tcp:\/\/127\.0\.0\.1:\d+$/);

  // A third node joins: a joining row with a progress bar, then ready, and the ring has three owners.
  const joiner = await cluster.addNode({ id: 'node3', args: ['--snapshot-credit', '1'] });
  await page.waitForSelector(`${row('node3', 'joining')} [role="progressbar"]`, { timeout: 20_000 });
  await page.waitForFunction(
    `Number(document.querySelector('${row('node3', 'joining')} [role="progressbar"]')?.getAttribute('aria-valuenow')) > 0`,
    {
      timeout: 20_000,
      polling: 50,
    },
  );
  t.is(await page.$$eval('#ring-legend li[data-node="node3"]', (items) => items.length), 0, 'a joining node is not on the ring');
  // The screenshot for the README: a third of the way in, or ready if the join was quicker than that.
  await page.waitForFunction(
    `Number(document.querySelector('${row('node3', 'joining')} [role="progressbar"]')?.getAttribute('aria-valuenow')) >= 30 ||
      document.querySelector('${row('node3', 'ready')}') !== null`,
    { timeout: 60_000, polling: 50 },
  );
  await page.screenshot({ path: SCREENSHOT });
  t.log(`screenshot: ${SCREENSHOT}`);

  await page.waitForSelector(row('node3', 'ready'), { timeout: 60_000 });
  await page.waitForFunction(`document.querySelectorAll('#ring-legend li').length === 3`, { timeout: 20_000 });
  t.is(await page.$$eval(`${row('node3')} [role="progressbar"]`, (bars) => bars.length), 0, 'no bar once ready');
  const samples = await page.$eval('#write-spark', (svg) => Number(svg.getAttribute('data-samples')));
  t.true(samples >= 2, `${samples} rate samples`);
  t.true((await page.$$('#write-spark polyline')).length >= 1, 'the write sparkline is drawn');

  // Killed: the broker drops it after its missed heartbeats, and the page with it.
  joiner.kill('SIGKILL');
  await page.waitForFunction(`document.querySelector('${row('node3')}') === null`, { timeout: 20_000 });
  await page.waitForFunction(`document.querySelectorAll('#ring-legend li').length === 2`, { timeout: 20_000 });
  t.is(await page.$eval('#node-count', (el) => el.textContent), '2 ready of 2');
  await waitFor(async () => (await client.nodes()).length === 2, { timeoutMs: 10_000 });

  t.deepEqual(offMachine, [], 'the page asks for nothing but the gateway');
  t.deepEqual(consoleErrors, [], 'no script error');
});
