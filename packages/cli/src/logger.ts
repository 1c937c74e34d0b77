import type { Logger } from '@brainer/protocol';
import winston from 'winston';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface CliLoggerOptions {
  /** Lowest level written. Default `info`; `debug` when `debug` is set. */
  level: LogLevel;
  /** `text` (one human line per entry) or `json` (one JSON object per line). Default `text`. */
  format: LogFormat;
  /** Debug level, and errors in the metadata keep their stack traces. */
  debug: boolean;
  /** A name put on every entry, such as `broker` or the node id. */
  name?: string;
}

/**
 * The winston logger behind the CLI's processes. Everything goes to stderr, so stdout only ever
 * holds the ready line and command output. Only the CLI creates winston; the libraries get this
 * through the small `Logger` interface.
 */
export function createLogger(options: CliLoggerOptions): Logger & { close(): void } {
  const level = options.debug ? 'debug' : options.level;
  const base = winston.format.combine(winston.format.timestamp(), serializeErrors(options.debug));
  const format =
    options.format === 'json'
      ? winston.format.combine(base, winston.format.json())
      : winston.format.combine(base, winston.format.printf(textLine));
  const logger = winston.createLogger({
    level,
    levels: winston.config.npm.levels,
    format,
    defaultMeta: options.name === undefined ? undefined : { name: options.name },
    transports: [new winston.transports.Console({ stderrLevels: Object.keys(winston.config.npm.levels) })],
  });
  const write =
    (lvl: LogLevel) =>
    (message: string, meta?: Record<string, unknown>): void => {
      logger.log(lvl, message, meta ?? {});
    };
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    close: () => logger.close(),
  };
}

/** Errors in the metadata become plain objects: message and code, and the stack only when debugging. */
function serializeErrors(withStack: boolean): winston.Logform.Format {
  return winston.format((info) => {
    for (const [key, value] of Object.entries(info)) {
      if (value instanceof Error) info[key] = describeError(value, withStack);
    }
    return info;
  })();
}

function describeError(err: Error, withStack: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (withStack && err.stack !== undefined) out.stack = err.stack;
  if (err.cause instanceof Error) out.cause = describeError(err.cause, withStack);
  return out;
}

const RESERVED = new Set(['level', 'message', 'timestamp', 'name']);

function textLine(info: winston.Logform.TransformableInfo): string {
  const meta: Record<string, unknown> = {};
  let stacks = '';
  for (const [key, value] of Object.entries(info)) {
    if (RESERVED.has(key) || typeof key === 'symbol') continue;
    const stack = (value as { stack?: unknown } | null)?.stack;
    if (typeof stack === 'string') {
      stacks += `\n${stack}`;
      const rest = { ...(value as Record<string, unknown>) };
      delete rest.stack;
      meta[key] = rest;
    } else {
      meta[key] = value;
    }
  }
  const name = typeof info.name === 'string' ? ` ${info.name}` : '';
  const extra = Object.keys(meta).length > 0 ? ` ${safeJson(meta)}` : '';
  return `${String(info.timestamp)} ${info.level.toUpperCase().padEnd(5)}${name}: ${String(info.message)}${extra}${stacks}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '[unserializable]';
  }
}
