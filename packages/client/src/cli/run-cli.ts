import { parseArgs } from 'node:util';

import { OpenadApiError } from '../errors';
import { OpenadClient } from '../openad-client';
import {
  UsageError,
  parseList,
  parseParams,
  parsePositive,
  parsePriority,
  parseWhole,
  type CliContext,
} from './cli-context';
import { EXIT, exitCodeOf } from './exit-codes';
import { generateCommand } from './generate-command';
import { predictCommand } from './predict-command';
import { cancelCommand, statusCommand, waitCommand } from './request-commands';
import { servicesCommand } from './services-command';
import { statsCommand } from './stats-command';
import { USAGE } from './usage';

export interface CliIo {
  stdout: CliContext['stdout'];
  stderr: CliContext['stderr'];
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

const COMMON = ['url', 'api-key', 'priority', 'timeout', 'quiet', 'help'] as const;
const ALLOWED: Record<string, readonly string[]> = {
  services: [...COMMON, 'json'],
  stats: [...COMMON, 'json'],
  status: COMMON,
  wait: COMMON,
  cancel: COMMON,
  predict: [
    ...COMMON,
    'service',
    'property',
    'input',
    'input-format',
    'column',
    'batch-size',
    'concurrency',
    'output',
    'format',
    'param',
  ],
  generate: [...COMMON, 'service', 'sample-size', 'target', 'param', 'output', 'format'],
};

const OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  priority: { type: 'string' },
  timeout: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  service: { type: 'string', short: 's' },
  property: { type: 'string', short: 'p', multiple: true },
  input: { type: 'string', short: 'i' },
  'input-format': { type: 'string' },
  column: { type: 'string' },
  'batch-size': { type: 'string' },
  concurrency: { type: 'string' },
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  param: { type: 'string', multiple: true },
  'sample-size': { type: 'string' },
  target: { type: 'string', multiple: true },
} as const;

/** Runs one CLI invocation; resolves with its exit code (see exit-codes.ts). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    return usageFailure(io, err instanceof Error ? err.message : String(err));
  }
  const { values: v, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (command === undefined || v.help || command === 'help') {
    io.stdout.write(USAGE);
    return command === undefined && !v.help ? EXIT.USAGE : EXIT.OK;
  }
  const allowed = ALLOWED[command];
  if (!allowed) return usageFailure(io, `unknown command "${command}"`);
  const stray = Object.keys(v).filter((k) => !allowed.includes(k));
  if (stray.length) return usageFailure(io, `${command} takes no --${stray.join(', --')}`);

  try {
    const ctx: CliContext = {
      client: new OpenadClient({
        url: v.url ?? io.env.OPENAD_ASYNC_URL ?? 'http://localhost:8080',
        ...((v['api-key'] ?? io.env.OPENAD_ASYNC_API_KEY)
          ? { apiKey: v['api-key'] ?? io.env.OPENAD_ASYNC_API_KEY }
          : {}),
      }),
      stdout: io.stdout,
      stderr: io.stderr,
      stdin: io.stdin,
      signal: io.signal,
      quiet: v.quiet ?? false,
    };
    const priority = parsePriority(v.priority);
    if (priority) ctx.priority = priority;
    const timeout = parsePositive('timeout', v.timeout);
    if (timeout) ctx.timeoutSeconds = timeout;
    const id = () => {
      if (rest.length !== 1) throw new UsageError(`${command} takes one request id`);
      return rest[0] ?? '';
    };
    if (rest.length > 0 && !['status', 'wait', 'cancel'].includes(command)) {
      throw new UsageError(`unexpected argument "${rest[0]}"`);
    }
    switch (command) {
      case 'services':
        return await servicesCommand(ctx, v.json ?? false);
      case 'stats':
        return await statsCommand(ctx, v.json ?? false);
      case 'status':
        return await statusCommand(ctx, id());
      case 'wait':
        return await waitCommand(ctx, id());
      case 'cancel':
        return await cancelCommand(ctx, id());
      case 'predict':
        return await predictCommand(ctx, {
          service: required(v.service, 'service'),
          properties: required(v.property, 'property').flatMap(parseList),
          input: required(v.input, 'input'),
          ...(v['input-format'] ? { inputFormat: v['input-format'] } : {}),
          ...(v.column ? { column: v.column } : {}),
          batchSize: parseWhole('batch-size', v['batch-size'], 100),
          concurrency: parseWhole('concurrency', v.concurrency, 4),
          ...(v.output ? { output: v.output } : {}),
          ...(v.format ? { format: v.format } : {}),
          parameters: parseParams(v.param),
        });
      case 'generate': {
        const sampleSize = v['sample-size'];
        return await generateCommand(ctx, {
          service: required(v.service, 'service'),
          ...(sampleSize === undefined
            ? {}
            : { sampleSize: parseWhole('sample-size', sampleSize, 1) }),
          targets: (v.target ?? []).map(parseTarget),
          parameters: parseParams(v.param),
          ...(v.output ? { output: v.output } : {}),
          ...(v.format ? { format: v.format } : {}),
        });
      }
      default:
        return usageFailure(io, `unknown command "${command}"`);
    }
  } catch (err) {
    if (io.signal.aborted) return EXIT.INTERRUPTED;
    const code = exitCodeOf(err);
    if (code === EXIT.USAGE) return usageFailure(io, messageOf(err));
    io.stderr.write(`openad-async: ${messageOf(err)}\n`);
    if (code === EXIT.INTERNAL && err instanceof Error && !(err instanceof OpenadApiError)) {
      io.stderr.write(`${err.stack ?? ''}\n`);
    }
    return code;
  }
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    throw new UsageError(`--${name} is required`);
  }
  return value;
}

function parseTarget(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--target must be JSON, not ${JSON.stringify(text)}`);
  }
}

function messageOf(err: unknown): string {
  if (err instanceof OpenadApiError && err.code !== 'NETWORK' && err.status > 0) {
    return `${err.message} [${err.code}, HTTP ${err.status}]`;
  }
  return err instanceof Error ? err.message : String(err);
}

function usageFailure(io: CliIo, message: string): number {
  io.stderr.write(`openad-async: ${message}\nTry 'openad-async --help'.\n`);
  return EXIT.USAGE;
}
