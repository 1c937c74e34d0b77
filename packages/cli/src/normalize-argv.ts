const LOOKS_LIKE_ENDPOINT = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Rewrites the seed's positional form `brainer-cli ipc:///tmp/broker.sock set k v` into
 * `brainer-cli set k v --broker ipc:///tmp/broker.sock`. The flag goes after the leading words, so
 * that a topic's command (`bucket get B`) stays together for oclif to find. Anything that looks like `scheme://...`
 * counts, so a malformed endpoint still reaches `--broker` validation and gets a clear error.
 * The order is: `--broker`, then the positional endpoint, then BRAINER_BROKER, then the default.
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const [first, command, ...rest] = argv;
  if (first === undefined || !LOOKS_LIKE_ENDPOINT.test(first)) return [...argv];
  if (command === undefined) return ['--broker', first];
  // An explicit --broker wins over the positional endpoint.
  if (hasFlag(rest, '--broker')) return [command, ...rest];
  const words = rest.findIndex((arg) => arg.startsWith('-'));
  const at = words < 0 ? rest.length : words;
  return [command, ...rest.slice(0, at), '--broker', first, ...rest.slice(at)];
}

function hasFlag(argv: readonly string[], flag: string): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === flag || arg.startsWith(`${flag}=`)) return true;
  }
  return false;
}

/** The argv for a bin that aliases one command: `run-broker --endpoint E` runs `run-broker --endpoint E`. */
export function aliasArgv(commandId: string, argv: readonly string[]): string[] {
  return [commandId, ...argv];
}
