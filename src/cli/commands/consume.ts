/** `polymq consume`: print records of a topic, with or without a consumer group. */
import type { Command } from 'commander';
import { Consumer, type ConsumedRecord } from '../../sdk/consumer';
import type { PolymqClient } from '../../sdk/client';
import { action, clientOptions, out, parseFormat, parseFrom, parseInteger, withConnection, type ConnectionFlags, type FromSpec } from './common';

interface ConsumeFlags extends ConnectionFlags {
  topic: string;
  group?: string;
  partition?: string;
  from: string;
  count?: string;
  format?: string;
  idleTimeout?: string;
  printKey?: boolean;
}

function render(r: ConsumedRecord, json: boolean, printKey: boolean): string {
  if (json) {
    return JSON.stringify({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: new Date(r.timestamp).toISOString(),
      key: r.key === null ? null : r.key.toString('utf8'),
      value: r.value.toString('utf8'),
      headers: r.headers === null ? null : Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'bigint' ? v.toString() : v])),
    });
  }
  const value = r.value.toString('utf8');
  return printKey ? `${r.key === null ? '' : r.key.toString('utf8')}\t${value}` : value;
}

async function startOffset(client: PolymqClient, topic: string, partition: number, from: FromSpec): Promise<number> {
  if (from.to === 'offset') return from.offset;
  if (from.to === 'timestamp') return client.offsetForTimestamp(topic, partition, from.timestampMs);
  const p = (await client.describeTopic(topic)).partitions.find((x) => x.partition === partition);
  if (!p) throw new Error(`topic ${topic} has no partition ${partition}`);
  return from.to === 'earliest' ? p.startOffset : p.endOffset;
}

export function registerConsume(program: Command): void {
  withConnection(program.command('consume'))
    .description('print records of a topic (Ctrl-C to stop, or --count / --idle-timeout)')
    .requiredOption('--topic <name>', 'topic')
    .option('--group <id>', 'consumer group (commits offsets; --from applies only where none is committed, except offset:/time:)')
    .option('--partition <n>', 'read only this partition (not with --group)')
    .option('--from <where>', 'earliest | latest | offset:N | time:ISO', 'earliest')
    .option('--count <n>', 'exit after n records')
    .option('--idle-timeout <ms>', 'exit when no record arrives for this long')
    .option('--format <fmt>', 'text (value per line) | json (one object per line)', 'text')
    .option('--print-key', 'text format: print key<TAB>value')
    .action(
      action(async (f: ConsumeFlags) => {
        const json = parseFormat(f.format) === 'json';
        const from = parseFrom(f.from);
        const count = f.count === undefined ? Number.POSITIVE_INFINITY : parseInteger('--count', f.count, 1);
        const idleMs = f.idleTimeout === undefined ? 0 : parseInteger('--idle-timeout', f.idleTimeout, 1);
        if (f.group !== undefined && f.partition !== undefined) throw new Error('--partition cannot be combined with --group');
        const consumer = new Consumer({
          ...clientOptions(f),
          groupId: f.group,
          autoOffsetReset: from.to === 'latest' ? 'latest' : 'earliest',
          autoCommit: f.group !== undefined,
        });
        let stop = false;
        const onSigint = (): void => {
          stop = true;
          void consumer.close();
        };
        process.once('SIGINT', onSigint);
        try {
          await consumer.client.connect();
          if (f.group !== undefined) {
            await consumer.subscribe([f.topic]);
            if (from.to === 'offset' || from.to === 'timestamp') {
              for (const tp of consumer.assignment()) {
                for (const p of tp.partitions) consumer.seek(tp.topic, p, await startOffset(consumer.client, tp.topic, p, from));
              }
            }
          } else {
            const info = await consumer.client.describeTopic(f.topic);
            const partitions = f.partition === undefined ? info.partitions.map((p) => p.partition) : [parseInteger('--partition', f.partition)];
            const assignment = [];
            for (const p of partitions) assignment.push({ topic: f.topic, partition: p, offset: await startOffset(consumer.client, f.topic, p, from) });
            await consumer.assign(assignment);
          }
          let seen = 0;
          while (!stop && seen < count) {
            const batch = await consumer.poll(idleMs > 0 ? idleMs : 1_000, Math.min(500, count - seen));
            if (batch.length === 0) {
              if (idleMs > 0) break;
              continue;
            }
            for (const r of batch) out(render(r, json, f.printKey === true));
            seen += batch.length;
          }
        } finally {
          process.off('SIGINT', onSigint);
          await consumer.close();
        }
      }),
    );
}
