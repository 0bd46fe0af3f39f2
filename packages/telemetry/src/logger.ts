import type { Writable } from 'node:stream';

import winston from 'winston';

export type LogFields = Record<string, unknown>;

/** A constant message plus fields; child loggers carry request_id / worker_id. */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** @defaultValue 'info' */
  level?: string;
  /** Added to every line as `app`, e.g. 'api' or 'worker'. */
  service: string;
  /** Silence output (tests). @defaultValue false */
  silent?: boolean;
  /** Where the JSON lines go (tests capture them). @defaultValue stdout */
  stream?: Writable;
}

/** Keys whose values never reach a log line: request bodies, inputs and credentials. */
const REDACTED = new Set([
  'body',
  'payload',
  'input',
  'subjects',
  'parameters',
  'result',
  'headers',
  'authorization',
  'x-api-key',
  'api_key',
  'apikey',
  'key',
  'password',
  'secret',
  'token',
  'cookie',
]);

function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (REDACTED.has(key.toLowerCase())) {
      out[key] = '[redacted]';
    } else if (value instanceof Error) {
      out[key] = {
        name: value.name,
        message: value.message,
        code: (value as { code?: unknown }).code,
      };
    } else {
      out[key] = value;
    }
  }
  return out;
}

class WinstonLogger implements Logger {
  constructor(private readonly inner: winston.Logger) {}
  error(message: string, fields: LogFields = {}): void {
    this.inner.error(message, redact(fields));
  }
  warn(message: string, fields: LogFields = {}): void {
    this.inner.warn(message, redact(fields));
  }
  info(message: string, fields: LogFields = {}): void {
    this.inner.info(message, redact(fields));
  }
  debug(message: string, fields: LogFields = {}): void {
    this.inner.debug(message, redact(fields));
  }
  child(fields: LogFields): Logger {
    return new WinstonLogger(this.inner.child(redact(fields)));
  }
}

/** JSON lines on stdout, one logger per process. */
export function createLogger(options: LoggerOptions): Logger {
  return new WinstonLogger(
    winston.createLogger({
      level: options.level ?? 'info',
      silent: options.silent ?? false,
      defaultMeta: { app: options.service },
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      transports: [
        options.stream
          ? new winston.transports.Stream({ stream: options.stream })
          : new winston.transports.Console(),
      ],
    }),
  );
}

/** For tests and library defaults: drops everything. */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silentLogger,
};
