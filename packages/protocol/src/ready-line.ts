/**
 * What `run-broker` and `run-node` print, as one JSON line on stdout, once they are serving: the
 * contract between a server process and whatever starts it (the CLI's `cluster`, test-utils).
 */
export interface ReadyEvent {
  event: 'ready';
  role: 'broker' | 'node' | 'gateway';
  /** The bound endpoint, with a `tcp://...:*` wildcard resolved to the real port. */
  endpoint: string;
  pid: number;
  /** The node's id (nodes only). */
  id?: string;
  /** The broker the node registered with (nodes of a cluster only), or the gateway serves through. */
  broker?: string;
  /** True for a node that serves alone, with no broker (`run-node --standalone`). */
  standalone?: boolean;
  /** The HTTP gateway's base URL, such as `http://127.0.0.1:8080` (a gateway, or a broker run with `--http`). */
  http?: string;
  /** The bound JSON ops endpoint (a gateway, or a broker run with `--json-endpoint`). */
  json?: string;
  /** The Prometheus endpoint's URL, such as `http://127.0.0.1:9100/metrics`; `/health` is beside it (with `--metrics` only). */
  metrics?: string;
}

export function formatReadyLine(event: ReadyEvent): string {
  return JSON.stringify(event);
}

/** Parses a line as a ready event, or returns undefined when it is anything else. */
export function parseReadyLine(line: string): ReadyEvent | undefined {
  if (!line.includes('"ready"')) return undefined;
  try {
    const value = JSON.parse(line) as Partial<ReadyEvent> | null;
    if (value !== null && typeof value === 'object' && value.event === 'ready' && typeof value.endpoint === 'string') {
      return value as ReadyEvent;
    }
  } catch {
    // not JSON: an ordinary output line
  }
  return undefined;
}
