/**
 * Reads the broker's text log (its stderr): lines such as
 * `2026-01-01T00:00:00.000Z INFO  broker: node joining {"node":"node2","endpoint":"…","source":"node1","joinId":3,"seq":120}`.
 * Pure: it only parses strings.
 */
export interface LogEntry {
  /** Offset of the line's start in the log. */
  offset: number;
  message: string;
  meta: Record<string, unknown>;
}

/** Every line starting at or after offset `from` whose message is `message`, with its JSON metadata. */
export function findLogEntries(log: string, message: string, from = 0): LogEntry[] {
  const entries: LogEntry[] = [];
  const needle = `: ${message} {`;
  let at = log.indexOf(needle, from);
  while (at !== -1) {
    const lineStart = log.lastIndexOf('\n', at) + 1;
    const lineEnd = log.indexOf('\n', at);
    const jsonText = log.slice(at + needle.length - 1, lineEnd === -1 ? log.length : lineEnd);
    if (lineStart >= from && (lineEnd !== -1 || log.endsWith('}'))) {
      try {
        const meta = JSON.parse(jsonText) as unknown;
        if (meta !== null && typeof meta === 'object') entries.push({ offset: lineStart, message, meta: meta as Record<string, unknown> });
      } catch {
        // a line cut short or not ours
      }
    }
    at = lineEnd === -1 ? -1 : log.indexOf(needle, lineEnd);
  }
  return entries;
}

export interface JoinStart {
  offset: number;
  node: string;
  source: string;
  joinId: number;
}

/** The `node joining` lines for `node` at or after `from`: which peer each join streams from. */
export function findJoins(log: string, node: string, from = 0): JoinStart[] {
  return findLogEntries(log, 'node joining', from)
    .filter((entry) => entry.meta.node === node && typeof entry.meta.source === 'string')
    .map((entry) => ({
      offset: entry.offset,
      node,
      source: entry.meta.source as string,
      joinId: typeof entry.meta.joinId === 'number' ? entry.meta.joinId : 0,
    }));
}

/** Whether the broker marked `node` ready at or after `from`. */
export function becameReady(log: string, node: string, from = 0): boolean {
  return findLogEntries(log, 'node ready', from).some((entry) => entry.meta.node === node);
}

/** Whether the broker restarted `node`'s join because its snapshot source `source` was lost, at or after `from`. */
export function joinRestartedForLostSource(log: string, node: string, source: string, from = 0): boolean {
  return findLogEntries(log, 'snapshot source lost; restarting the join', from).some(
    (entry) => entry.meta.node === node && entry.meta.source === source,
  );
}
