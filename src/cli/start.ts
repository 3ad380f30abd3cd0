/**
 * `polymq start`: every config option as a flag (generated from OPTIONS), graceful shutdown on SIGTERM/SIGINT.
 */
import type { Command } from 'commander';
import type { Broker } from '../broker';
import { OPTIONS, loadConfig } from '../config';
import { isBrokerError } from '../core/errors';
import { childLogger } from '../core/logger';

/** Longest a graceful stop may take before the process exits anyway. */
export const SHUTDOWN_TIMEOUT_MS = 30_000;

function flagToProp(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function registerStart(program: Command): void {
  const cmd = program.command('start').description('start the broker (all listeners, data in ./data by default)');
  cmd.option('--config <file>', 'JSON config file (default ./polymq.config.json when present; env POLYMQ_CONFIG)');
  for (const o of OPTIONS) {
    const arg = o.kind === 'bool' ? `${o.flag} [bool]` : `${o.flag} <value>`;
    cmd.option(arg, `${o.doc} [env ${o.env}]`);
  }
  cmd.action(async (opts: Record<string, unknown>) => {
    const flags: Record<string, unknown> = {};
    for (const o of OPTIONS) {
      const v = opts[flagToProp(o.flag)];
      if (v !== undefined) flags[o.key] = v === true ? 'true' : v;
    }
    let broker: Broker;
    try {
      // Loaded here, not at the top: client commands (send, consume, status…) need none of the broker.
      const { Broker } = require('../broker') as typeof import('../broker');
      const config = loadConfig({ file: typeof opts.config === 'string' ? opts.config : undefined, flags });
      if (config.logLevel) process.env.POLYMQ_LOG_LEVEL = config.logLevel;
      broker = new Broker({}, { file: null, env: {}, overrides: { ...config } });
    } catch (err) {
      process.stderr.write(`polymq: ${isBrokerError(err) ? err.message : String(err)}\n`);
      process.exit(2);
    }
    const log = childLogger('cli');
    let stopping = false;
    const shutdown = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        log.error('graceful shutdown timed out; exiting');
        process.exit(1);
      }, SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      broker.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    broker.on('force-stop', () => {
      log.warn('forced stop');
      process.exit(1);
    });
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    try {
      await broker.start();
    } catch (err) {
      // A bad config value found at start (an unreadable certificate file, say) is a usage error like the others: 2.
      process.stderr.write(`polymq: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(isBrokerError(err) && err.code === 'INVALID_CONFIG' ? 2 : 1);
    }
    // Registered after start: a failed start stops the broker too, and must exit with its error, not 0.
    broker.on('stopped', () => process.exit(0));
  });
}
