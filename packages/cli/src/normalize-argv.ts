const LOOKS_LIKE_ENDPOINT = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Rewrites the seed's positional form `brainer-cli ipc:///tmp/broker.sock set k v` into
 * `brainer-cli set k v --broker ipc:///tmp/broker.sock`. The flag goes after the leading words, so
 * that a topic's command (`bucket get B`) stays together for oclif to find. Anything that looks like `scheme://...`
 * counts, so a malformed endpoint still reaches `--broker` validation and gets a clear error.
 * The order is: `--broker`, then the positional endpoint, then BRAINER_BROKER, then the default.
 * `--node E` or `--broker E` before the command moves after it (oclif wants the command first): after
 * all of its words, so that `--broker E bucket set B I V` runs `bucket set`. `isTopic` tells a
 * topic (`bucket`), whose next word is part of the command, from a command.
 */
export function normalizeArgv(argv: readonly string[], isTopic: (id: string) => boolean = () => false): string[] {
  const { leading, rest } = leadingEndpointFlags(argv);
  const normalized = positionalEndpoint(rest);
  if (leading.length === 0 || normalized.length === 0) return [...leading, ...normalized];
  const words = commandWords(normalized, isTopic);
  return [...normalized.slice(0, words), ...leading, ...normalized.slice(words)];
}

/** How many of argv's first words name the command: one, and one more after each topic. */
function commandWords(argv: readonly string[], isTopic: (id: string) => boolean): number {
  let id = argv[0]!;
  let words = 1;
  while (words < argv.length && !argv[words]!.startsWith('-') && isTopic(id)) id += `:${argv[words++]!}`;
  return words;
}

/** The flags that name where to connect; they may come before the command, as in `brainer-cli --node E get k`. */
const ENDPOINT_FLAGS = ['--node', '--broker'];

function leadingEndpointFlags(argv: readonly string[]): { leading: string[]; rest: string[] } {
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (ENDPOINT_FLAGS.includes(arg) && i + 1 < argv.length) i += 2;
    else if (ENDPOINT_FLAGS.some((flag) => arg.startsWith(`${flag}=`))) i += 1;
    else break;
  }
  return { leading: argv.slice(0, i), rest: argv.slice(i) };
}

function positionalEndpoint(argv: readonly string[]): string[] {
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
