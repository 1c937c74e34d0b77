/**
 * npm run fuzz -- --frames 100000 [--seed N] [--burst 32]
 *
 * Starts a broker and a node, sends them random and mutated messages through raw DEALERs, then
 * checks that both still answer, that data written before is untouched and that `verify` passes.
 * Prints what was sent and answered, saves it as JSON under bench/results, and exits 1 on a crash
 * or a failed check.
 */
import { parseArgs } from 'node:util';
import { formatFuzzSummary } from './fuzz-report.js';
import { runFuzz } from './fuzz-run.js';
import { randomSeed } from './prng.js';
import { saveResults } from './results.js';
import { count } from './cli-args.js';

const { values: args } = parseArgs({
  options: {
    frames: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    burst: { type: 'string', default: '32' },
    quiet: { type: 'boolean', default: false },
  },
});

const seed = args.seed === undefined ? randomSeed() : count('seed', args.seed);
const started = Date.now();
const result = await runFuzz({
  frames: count('frames', args.frames, 1),
  seed,
  burst: count('burst', args.burst, 1),
  log: args.quiet ? undefined : (line) => console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${line}`),
});
console.log('');
console.log(formatFuzzSummary(result));
console.log(`summary saved to ${await saveResults('fuzz', result)}`);
process.exit(result.ok ? 0 : 1);
