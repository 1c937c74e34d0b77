import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { DIRECT_ROWS } from '../src/direct-report.js';

// dist/test -> the repo root.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const script = join(root, 'packages', 'bench', 'dist', 'src', 'direct.js');

test('bench:direct --quick prints every row, both paths, and exits 0 (no speed asserted)', async (t) => {
  t.timeout(180_000);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [script, '--quick'], { cwd: root, timeout: 150_000 }, (_err, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
  t.is(code, 0, stderr);
  t.regex(stdout, /brokered ops\/s .* direct ops\/s/);
  for (const { name } of DIRECT_ROWS) {
    const row = stdout.split('\n').find((line) => line.startsWith(`${name} `));
    t.truthy(row, `row ${name} in:\n${stdout}`);
    // read, 3 brokered figures, 3 direct figures, 2 ratios, and 0 errors.
    t.regex(row ?? '', /^\S+(\s+[\d,]+){6}\s+\d+\.\d\d\s+\d+\.\d\d\s+0$/, `row ${name}`);
  }
  t.regex(stdout, /results: .*direct-.*\.json/);
});
