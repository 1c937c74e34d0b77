/**
 * The fields of one node as `nodes` shows them: protocol's `NodeInfo` (which the client returns),
 * read leniently (numbers may be bigints; sync, progress and error may be missing).
 */
export interface NodeView {
  id: string;
  endpoint: string;
  state: string;
  keys: number | bigint;
  seq: number | bigint;
  digest: string;
  /** How the node last caught up: `full` (a snapshot), `partial` (the broker's backlog) or `none`. */
  sync?: string;
  progress?: unknown;
  /** Set by the broker when the node is ready but may miss acknowledged writes. */
  error?: { code: string; message: string };
}

/**
 * The JSON object for one node: exactly id, endpoint, state, keys, seq and digest, plus sync when
 * the broker reports it and progress only while a node reports one. Bigints become numbers when
 * exact, else strings.
 */
export function nodeToJson(node: NodeView): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: node.id,
    endpoint: node.endpoint,
    state: node.state,
    keys: jsonNumber(node.keys),
    seq: jsonNumber(node.seq),
    digest: node.digest,
  };
  if (node.sync !== undefined) out.sync = node.sync;
  if (node.progress !== undefined && node.progress !== null) out.progress = jsonValue(node.progress);
  if (node.error !== undefined) out.error = node.error;
  return out;
}

/** Table rows for `nodes`: a header, then one row per node; SYNC, PROGRESS and ERROR only when some node has one. */
export function nodesToRows(nodes: readonly NodeView[]): string[][] {
  const withSync = nodes.some((n) => n.sync !== undefined);
  const withProgress = nodes.some((n) => n.progress !== undefined && n.progress !== null);
  const withError = nodes.some((n) => n.error !== undefined);
  const header = [
    'ID',
    'ENDPOINT',
    'STATE',
    'KEYS',
    'SEQ',
    'DIGEST',
    ...(withSync ? ['SYNC'] : []),
    ...(withProgress ? ['PROGRESS'] : []),
    ...(withError ? ['ERROR'] : []),
  ];
  const rows = nodes.map((n) => [
    n.id,
    n.endpoint,
    n.state,
    String(n.keys),
    String(n.seq),
    n.digest,
    ...(withSync ? [n.sync ?? '-'] : []),
    ...(withProgress ? [formatProgress(n.progress)] : []),
    ...(withError ? [n.error?.code ?? '-'] : []),
  ]);
  return [header, ...rows];
}

/** One line per node the broker flags, with what it says. */
export function nodeErrorLines(nodes: readonly NodeView[]): string[] {
  return nodes.flatMap((n) => (n.error === undefined ? [] : [`${n.id}: ${n.error.code} ${n.error.message}`]));
}

function formatProgress(progress: unknown): string {
  if (progress === undefined || progress === null) return '-';
  if (typeof progress === 'number') return progress <= 1 ? `${Math.round(progress * 100)}%` : String(progress);
  if (typeof progress === 'string') return progress;
  const p = progress as { received?: unknown; total?: unknown; percent?: unknown };
  if (typeof p === 'object' && typeof p.received === 'number' && typeof p.total === 'number') {
    return typeof p.percent === 'number' ? `${p.percent}% (${p.received}/${p.total})` : `${p.received}/${p.total}`;
  }
  return JSON.stringify(jsonValue(progress));
}

function jsonNumber(value: number | bigint): number | string {
  if (typeof value === 'number') return value;
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
}

function jsonValue(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? jsonNumber(v) : v))) as unknown;
}
