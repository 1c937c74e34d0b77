import type { FuzzResult } from './fuzz-run.js';

/** What a fuzz run prints and saves. */
export function formatFuzzSummary(result: FuzzResult): string {
  const counts = (record: Record<string, number>): string =>
    Object.entries(record)
      .map(([what, n]) => `${what} ${n}`)
      .join(', ') || 'nothing';
  const { checks } = result;
  const lines = [
    `fuzz run, seed ${result.seed}: ${result.messagesSent} messages (${result.framesSent} frames) in ${(result.elapsedMs / 1000).toFixed(1)} s`,
    `sent to: broker ${result.byTarget.broker}, node ${result.byTarget.node}`,
    `by mutation: ${counts(result.byMutation)}`,
    `broker answered: ${counts(result.received.broker)}`,
    `node answered: ${counts(result.received.node)}`,
    `unanswered barrier pings: ${result.barrierTimeouts}`,
    `crashes: ${result.crashes.length === 0 ? 'none' : result.crashes.map((c) => `${c.id} (${c.exit.signal ?? `code ${c.exit.code}`})`).join(', ')}`,
    `broker alive: ${checks.brokerAlive}; node alive: ${checks.nodeAlive}; client set/get: ${checks.clientSetGet}; direct node ping: ${checks.nodePing}`,
    `guard keys changed: ${checks.guardKeysChanged.length}`,
    `verify: ${checks.verify.ok ? 'ok' : `FAILED ${'error' in checks.verify ? checks.verify.error : JSON.stringify(checks.verify.differing)}`}`,
    `error log lines: ${result.errorLogLines.length}`,
  ];
  for (const key of checks.guardKeysChanged.slice(0, 10)) lines.push(`  changed: ${key}`);
  for (const line of result.errorLogLines.slice(0, 10)) lines.push(`  ${line}`);
  for (const crash of result.crashes) lines.push('', `crash of ${crash.id} (pid ${crash.pid}); its last log lines:`, crash.stderrTail);
  if (result.lastMessages) {
    lines.push('', 'last messages sent to the target that failed (hex, first 256 bytes of up to 4 frames):');
    for (const m of result.lastMessages) lines.push(`  ${m.mutation}: ${m.frames.join(' | ')}`);
  }
  lines.push('', result.ok ? 'PASS' : 'FAIL');
  return lines.join('\n');
}
