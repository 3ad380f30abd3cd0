/** `polymq send`: one record from --message, or one record per stdin line. */
import type { Command } from 'commander';
import readline from 'node:readline';
import { Producer } from '../../sdk/producer';
import type { AckMode } from '../../sdk/client';
import { action, clientOptions, out, parseHeaders, parseInteger, withConnection, type ConnectionFlags } from './common';

interface SendFlags extends ConnectionFlags {
  topic: string;
  key?: string;
  message?: string;
  headers?: string;
  partition?: string;
  acks?: string;
  quiet?: boolean;
}

function parseAcks(s: string | undefined): AckMode {
  if (s === undefined) return 'durable';
  if (s === 'none' || s === 'leader' || s === 'durable') return s;
  throw new Error(`bad --acks ${s} (none, leader or durable)`);
}

export function registerSend(program: Command): void {
  withConnection(program.command('send'))
    .description('send records to a topic (--message, or one record per line of stdin)')
    .requiredOption('--topic <name>', 'topic')
    .option('--key <key>', 'record key (same key, same partition)')
    .option('--message <text>', 'record value; without it every stdin line is a record')
    .option('--headers <k=v,...>', 'record headers')
    .option('--partition <n>', 'explicit partition')
    .option('--acks <level>', 'none | leader | durable (default durable)')
    .option('--quiet', 'do not print partition/offset per record')
    .action(
      action(async (f: SendFlags) => {
        const headers = parseHeaders(f.headers);
        const partition = f.partition === undefined ? undefined : parseInteger('--partition', f.partition);
        const producer = new Producer({ ...clientOptions(f), acks: parseAcks(f.acks) });
        try {
          await producer.connect();
          const report = (m: { topic: string; partition: number; offset: number }): void => {
            if (!f.quiet) out(`${m.topic}/${m.partition}@${m.offset}`);
          };
          const record = (value: string) => ({ key: f.key ?? null, value, headers, partition });
          if (f.message !== undefined) {
            report(await producer.send(f.topic, record(f.message)));
          } else {
            // Lines are sent as they come; answers are printed in order.
            const sends: Promise<{ topic: string; partition: number; offset: number }>[] = [];
            const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
            for await (const line of rl) {
              if (line === '') continue;
              sends.push(producer.send(f.topic, record(line)));
            }
            for (const m of await Promise.all(sends)) report(m);
          }
        } finally {
          await producer.close();
        }
      }),
    );
}
