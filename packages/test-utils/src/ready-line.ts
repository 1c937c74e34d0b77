/** The JSON line `run-broker` and `run-node` print on stdout once they are serving. */
export interface ReadyLine {
  event: 'ready';
  role: 'broker' | 'node';
  endpoint: string;
  pid: number;
  id?: string;
  broker?: string;
}

/** Parses one stdout line as a ready line, or returns undefined. */
export function parseReadyLine(line: string): ReadyLine | undefined {
  if (!line.includes('"ready"')) return undefined;
  try {
    const value = JSON.parse(line) as Partial<ReadyLine> | null;
    if (value !== null && typeof value === 'object' && value.event === 'ready' && typeof value.endpoint === 'string') {
      return value as ReadyLine;
    }
  } catch {
    // an ordinary output line
  }
  return undefined;
}
