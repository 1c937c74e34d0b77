import test from 'ava';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { IP_BIN, netnsUnavailable, startNetworkLab } from '../src/network-lab.js';
import { spawnProgramReady } from '../src/managed-process.js';

const run = promisify(execFile);
const unavailable = netnsUnavailable();
const labTest = unavailable === undefined ? test : test.skip;
if (unavailable !== undefined) console.warn(`network-lab tests SKIPPED: ${unavailable}`);

/** A TCP server that says `hi` to each connection and prints a ready line (the shape spawnReady waits for). */
const SERVER = `
const server = require('node:net').createServer((socket) => socket.end('hi'));
server.listen(7000, process.argv[1], () => console.log(JSON.stringify({ event: 'ready', role: 'broker', endpoint: 'tcp://' + process.argv[1] + ':7000', pid: process.pid })));
`;

/** Connects from this process's namespace; what the server said, or the error. */
function greeting(host: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port: 7000, timeout: 2000 });
    let said = '';
    socket.on('data', (chunk) => (said += chunk.toString()));
    socket.on('end', () => resolve(said));
    socket.on('timeout', () => (socket.destroy(), resolve('timeout')));
    socket.on('error', (error) => resolve(error.message));
  });
}

/** Connects from `netns`: `hi`, or `timeout` when the packets are dropped. */
async function greetingFrom(netns: string, host: string): Promise<string> {
  const script = `const s = require('node:net').connect({ host: '${host}', port: 7000, timeout: 1500 });
let said = ''; s.on('data', (c) => (said += c)); s.on('end', () => console.log(said));
s.on('timeout', () => { console.log('timeout'); s.destroy(); }); s.on('error', (e) => console.log(e.message));`;
  const { stdout } = await run(IP_BIN, ['netns', 'exec', netns, process.execPath, '-e', script]);
  return stdout.trim();
}

labTest(
  `hosts in a lab reach each other and this process; cut drops a pair's packets until heal; destroy removes everything${unavailable === undefined ? '' : ` [skipped: ${unavailable}]`}`,
  async (t) => {
    const lab = await startNetworkLab(['a', 'b']);
    t.teardown(() => lab.destroy());
    const server = await spawnProgramReady({ name: 'server', command: process.execPath, leadingArgs: ['-e', SERVER] }, [lab.address('b')], {
      netns: lab.netns('b'),
    });
    t.teardown(() => server.stop());
    t.is(server.endpoint, `tcp://${lab.address('b')}:7000`);

    t.is(await greeting(lab.address('b')), 'hi', 'this process reaches a host');
    t.is(await greetingFrom(lab.netns('a'), lab.address('b')), 'hi', 'one host reaches another');
    await lab.cut('a', 'b');
    t.is(await greetingFrom(lab.netns('a'), lab.address('b')), 'timeout', 'a cut pair cannot talk, and hears nothing');
    t.is(await greeting(lab.address('b')), 'hi', 'others still reach a cut host');
    await lab.heal('a', 'b');
    t.is(await greetingFrom(lab.netns('a'), lab.address('b')), 'hi', 'healed');

    await server.stop();
    await lab.destroy();
    const { stdout: namespaces } = await run(IP_BIN, ['netns', 'list']);
    t.notRegex(namespaces, new RegExp(`brainer-${lab.id}-`), 'no namespace of the lab is left');
    const { stdout: links } = await run(IP_BIN, ['-o', 'link']);
    t.notRegex(links, new RegExp(`brainer${lab.id}`), 'no link of the lab is left here');
  },
);
