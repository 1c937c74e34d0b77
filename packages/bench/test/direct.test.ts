import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { DIRECT_ROWS, PATHS } from '../src/direct-report.js';

// dist/test -> the repo root.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const script = join(root, 'packages', 'bench', 'dist', 'src', 'direct.js');

test('bench:direct --quick prints every pattern along every path and exits 0 (no speed asserted)', async (t) => {
  t.timeout(180_000);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [script, '--quick'], { cwd: root, timeout: 150_000 }, (_err, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
  t.is(code, 0, stderr);
  t.regex(stdout, /^read\s+path\s+ops\/s/m);
  for (const { name } of DIRECT_ROWS) {
    for (const path of PATHS) {
      // read, path, 3 figures, 2 ratios, and 0 errors.
      const row = new RegExp(`^${name}\\s+${path}(\\s+[\\d,]+){3}\\s+\\d+\\.\\d\\d\\s+\\d+\\.\\d\\d\\s+0$`, 'm');
      t.regex(stdout, row, `row ${name} ${path} in:\n${stdout}`);
    }
  }
  t.regex(stdout, /results: .*direct-.*\.json/);
});
