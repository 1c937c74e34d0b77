import { EXIT_FAILURE, EXIT_USAGE } from './errors.js';

interface ErrorLike {
  constructor?: { name?: string };
  name?: string;
  message?: string;
  code?: unknown;
  stack?: string;
  cause?: unknown;
  oclif?: { exit?: number };
  args?: Array<{ name?: string }>;
  parse?: unknown;
}

const HELP_SUFFIX = /\s*See more help with --help\s*$/;
const FLAG_PARSE = /^Parsing --(\S+)\s*\n\t([\s\S]*)$/;

/** The code to print beside the message: a Brainer code, ERR_USAGE, or a Node code such as EADDRINUSE. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, parse, message } = err as ErrorLike;
  if (typeof code === 'string' && code !== '' && code !== 'EEXIT') return code;
  // oclif's argument parser errors carry the parse input; its flag parser rewrites the message.
  if (parse !== undefined || (typeof message === 'string' && FLAG_PARSE.test(message))) return 'ERR_USAGE';
  return undefined;
}

/** The exit code for an error: 2 for wrong usage, 1 for anything else. */
export function exitCodeFor(err: unknown): number {
  const code = errorCode(err);
  if (code === 'ERR_USAGE' || code === 'ERR_INVALID_OPTION') return EXIT_USAGE;
  return EXIT_FAILURE;
}

/** Turns an error's message into one readable line, unwrapping oclif's parser decorations. */
export function oneLineMessage(err: unknown, helpHint?: string): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as ErrorLike;
  let message = typeof e.message === 'string' && e.message !== '' ? e.message : String(e.name ?? 'unknown error');
  let usage = e.parse !== undefined || e.code === 'ERR_USAGE';

  const flagParse = FLAG_PARSE.exec(message);
  if (flagParse) {
    const [, flag, inner] = flagParse as unknown as [string, string, string];
    const cleaned = inner.replace(HELP_SUFFIX, '').trim();
    // A Brainer error already names the field; anything else gets the flag name in front.
    message = typeof e.code === 'string' ? cleaned : `--${flag}: ${cleaned}`;
    usage = true;
  } else if (e.constructor?.name === 'RequiredArgsError' && Array.isArray(e.args)) {
    const names = e.args.map((a) => (a.name ?? '?').toUpperCase());
    message = `missing required argument${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
  } else if (HELP_SUFFIX.test(message)) {
    usage = true;
  }

  message = message
    .replace(HELP_SUFFIX, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ')
    .replace(/:$/, '');
  if (usage && helpHint !== undefined) message += `; see ${helpHint}`;
  return message;
}

/** How an error is printed, from the flags the user typed: `--debug` adds the stack, `--json` makes it JSON. */
export function formatFlags(argv: readonly string[]): { debug: boolean; json: boolean } {
  return { debug: argv.includes('--debug'), json: argv.includes('--json') };
}

/**
 * The one line printed for an error, such as `Error [ERR_TIMEOUT]: ...`, plus the stack when
 * debugging; with `json`, one JSON object instead: `{"error":{"code":...,"message":...}}`.
 */
export function formatError(err: unknown, options: { debug?: boolean; helpHint?: string; json?: boolean } = {}): string {
  const code = errorCode(err);
  if (options.json) {
    const stack = options.debug ? { stack: stackChain(err).join('\n') } : {};
    return JSON.stringify({ error: { code: code ?? 'ERR_INTERNAL', message: oneLineMessage(err, options.helpHint), ...stack } });
  }
  const line = `Error${code === undefined ? '' : ` [${code}]`}: ${oneLineMessage(err, options.helpHint)}`;
  if (!options.debug) return line;
  return [line, ...stackChain(err)].join('\n');
}

function stackChain(err: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const { stack, cause } = current as ErrorLike;
    if (typeof stack === 'string') out.push(out.length === 0 ? stack : `Caused by: ${stack}`);
    current = cause;
  }
  return out;
}
