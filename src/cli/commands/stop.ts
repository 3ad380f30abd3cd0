/** `polymq stop`: asks the broker to stop gracefully and waits until its connection closes. */
import type { Command } from 'commander';
import { PolymqClient } from '../../sdk/client';
import { PolymqError } from '../../sdk/errors';
import { action, clientOptions, out, parseInteger, withConnection, type ConnectionFlags } from './common';

export function registerStop(program: Command): void {
  withConnection(program.command('stop'))
    .description('stop the broker gracefully (loopback or administrator only)')
    .option('--timeout <seconds>', 'graceful stop deadline; the broker closes anyway after it', '30')
    .option('--force', 'stop at once without draining')
    .action(
      action(async (f: ConnectionFlags & { timeout: string; force?: boolean }) => {
        const timeoutMs = parseInteger('--timeout', f.timeout, 1) * 1000;
        const client = new PolymqClient(clientOptions(f));
        try {
          await client.connect();
          const gone = new Promise<void>((resolve) => client.once('disconnected', () => resolve()));
          await client.shutdown(timeoutMs, f.force === true);
          // The broker closes our connection when it goes down: that is the confirmation.
          const deadline = new Promise<never>((_r, reject) => {
            const t = setTimeout(() => reject(new PolymqError('REQUEST_TIMEOUT', 'broker did not stop in time')), timeoutMs + 5_000);
            t.unref();
          });
          await Promise.race([gone, deadline]);
          out('stopped');
        } finally {
          await client.close();
        }
      }),
    );
}
