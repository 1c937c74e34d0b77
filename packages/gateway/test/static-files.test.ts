import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { loadStaticFiles, PUBLIC_DIR, STATUS_PAGE_FILES } from '../src/static-files.js';

const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));

test('the page is read from public/ beside dist/, every file of it', (t) => {
  t.is(PUBLIC_DIR, `${PACKAGE_DIR}public/`);
  const files = loadStaticFiles();
  t.deepEqual([...files.keys()].sort(), Object.keys(STATUS_PAGE_FILES).sort());
  t.regex(files.get('/')!.body.toString(), /<title>Brainer status<\/title>/);
});

test('a missing file fails the gateway at start, naming it', (t) => {
  const error = t.throws(() => loadStaticFiles('/nonexistent-brainer-public'));
  t.regex(error.message, /index\.html is missing from \/nonexistent-brainer-public/);
});

test('npm pack ships the page with the compiled code', async (t) => {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_DIR });
  const [packed] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  const paths = packed.files.map((file) => file.path);
  for (const path of ['public/index.html', 'public/status.js', 'public/status.css', 'dist/src/static-files.js', 'dist/src/index.js'])
    t.true(paths.includes(path), `${path} in ${paths.join(' ')}`);
  t.false(
    paths.some((path) => path.startsWith('dist/test/')),
    'tests stay out',
  );
});
