/**
 * Shared plumbing of the client commands: connection flags, output formats, one-line errors.
 * The CLI is the one place that writes to stdout/stderr directly.
 */
import type { Command } from 'commander';
import { Admin } from '../../sdk/admin';
import { PolymqClient, type ClientOptions } from '../../sdk/client';
import { isPolymqError } from '../../sdk/errors';
import { isBrokerError } from '../../core/errors';

export interface ConnectionFlags {
  broker?: string;
  user?: string;
  password?: string;
}

/** Adds --broker/--user/--password to a command. */
export function withConnection(cmd: Command): Command {
  return cmd
    .option('--broker <host:port>', 'broker address [env POLYMQ_BROKER] (default 127.0.0.1:5680)')
    .option('--user <name>', 'username [env POLYMQ_USER] (default guest)')
    .option('--password <secret>', 'password [env POLYMQ_PASSWORD] (default guest)');
}

export function clientOptions(f: ConnectionFlags): ClientOptions {
  return {
    broker: f.broker ?? process.env.POLYMQ_BROKER ?? '127.0.0.1:5680',
    username: f.user ?? process.env.POLYMQ_USER ?? 'guest',
    password: f.password ?? process.env.POLYMQ_PASSWORD ?? 'guest',
    clientId: `polymq-cli-${process.pid}`,
    // The CLI fails fast: a dead broker is an error to report, not to wait for.
    reconnect: false,
    connectTimeoutMs: 5_000,
  };
}

export async function withClient<T>(f: ConnectionFlags, fn: (client: PolymqClient) => Promise<T>): Promise<T> {
  const client = new PolymqClient(clientOptions(f));
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.close();
  }
}

export async function withAdmin<T>(f: ConnectionFlags, fn: (admin: Admin) => Promise<T>): Promise<T> {
  return withClient(f, (client) => fn(new Admin({ client })));
}

/** Runs a command body; on failure prints one line to stderr and exits non-zero. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const code = isPolymqError(err) || isBrokerError(err) ? `${err.code}: ` : '';
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(`polymq: ${code}${msg}\n`);
      process.exitCode = 1;
    }
  };
}

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A plain left-aligned table. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

export type OutputFormat = 'text' | 'json';

export function parseFormat(v: unknown): OutputFormat {
  if (v === undefined || v === 'text' || v === 'table') return 'text';
  if (v === 'json') return 'json';
  throw new Error(`unknown format ${String(v)} (text or json)`);
}

export function parseInteger(name: string, v: string, min = 0): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${v}`);
  return n;
}

/** "k=v,k2=v2" → headers (values are strings). */
export function parseHeaders(s: string | undefined): Record<string, string> | undefined {
  if (s === undefined || s === '') return undefined;
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) throw new Error(`bad header "${part}" (expected key=value)`);
    out[part.slice(0, i).trim()] = part.slice(i + 1);
  }
  return out;
}

/** --from earliest | latest | offset:N | time:ISO */
export type FromSpec = { to: 'earliest' } | { to: 'latest' } | { to: 'offset'; offset: number } | { to: 'timestamp'; timestampMs: number };

export function parseFrom(s: string): FromSpec {
  if (s === 'earliest' || s === 'beginning') return { to: 'earliest' };
  if (s === 'latest' || s === 'end') return { to: 'latest' };
  if (s.startsWith('offset:')) return { to: 'offset', offset: parseInteger('offset', s.slice(7)) };
  if (s.startsWith('time:')) {
    const t = Date.parse(s.slice(5));
    if (Number.isNaN(t)) throw new Error(`bad time in ${s} (expected ISO 8601)`);
    return { to: 'timestamp', timestampMs: t };
  }
  throw new Error(`bad --from ${s} (earliest, latest, offset:N or time:ISO)`);
}
