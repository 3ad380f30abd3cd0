/** `polymq topics create|list|describe|delete`. */
import type { Command } from 'commander';
import type { RetentionPolicy } from '../../../storage/types';
import type { TopicInfo } from '../../core/types';
import { action, out, parseFormat, parseInteger, table, withAdmin, withConnection, type ConnectionFlags } from './common';

function retentionText(r: RetentionPolicy): string {
  const parts: string[] = [];
  if (r.maxAgeMs !== undefined) parts.push(`age ${r.maxAgeMs} ms`);
  if (r.maxBytes !== undefined) parts.push(`${r.maxBytes} bytes`);
  if (r.maxRecords !== undefined) parts.push(`${r.maxRecords} records`);
  return parts.length === 0 ? 'unlimited' : parts.join(', ');
}

function describeText(t: TopicInfo): string {
  const head = `topic ${t.name}  partitions ${t.partitions.length}  retention ${retentionText(t.retention)}`;
  return `${head}\n${table(['PARTITION', 'START', 'END', 'RECORDS', 'BYTES'], t.partitions.map((p) => [p.partition, p.startOffset, p.endOffset, p.endOffset - p.startOffset, p.sizeBytes]))}`;
}

interface CreateFlags extends ConnectionFlags {
  partitions: string;
  retentionMs?: string;
  retentionBytes?: string;
  retentionRecords?: string;
}

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description('manage topics');
  withConnection(topics.command('create <name>'))
    .description('create a topic')
    .option('--partitions <n>', 'partition count', '1')
    .option('--retention-ms <ms>', 'delete records older than this')
    .option('--retention-bytes <n>', 'keep about this many bytes per partition')
    .option('--retention-records <n>', 'keep about this many records per partition')
    .action(
      action(async (name: string, f: CreateFlags) => {
        const retention: RetentionPolicy = {};
        if (f.retentionMs !== undefined) retention.maxAgeMs = parseInteger('--retention-ms', f.retentionMs, 1);
        if (f.retentionBytes !== undefined) retention.maxBytes = parseInteger('--retention-bytes', f.retentionBytes, 1);
        if (f.retentionRecords !== undefined) retention.maxRecords = parseInteger('--retention-records', f.retentionRecords, 1);
        const partitions = parseInteger('--partitions', f.partitions, 1);
        await withAdmin(f, (a) => a.createTopic(name, { partitions, retention }));
        out(`created topic ${name} (${partitions} partitions)`);
      }),
    );
  withConnection(topics.command('list'))
    .description('list topics')
    .option('--format <fmt>', 'text | json', 'text')
    .action(
      action(async (f: ConnectionFlags & { format?: string }) => {
        const json = parseFormat(f.format) === 'json';
        const list = await withAdmin(f, (a) => a.listTopics());
        if (json) out(JSON.stringify(list));
        else out(table(['TOPIC', 'PARTITIONS', 'RECORDS', 'RETENTION'], list.map((t) => [t.name, t.partitions.length, t.partitions.reduce((s, p) => s + p.endOffset - p.startOffset, 0), retentionText(t.retention)])));
      }),
    );
  withConnection(topics.command('describe <name>'))
    .description('show a topic and its partitions')
    .option('--format <fmt>', 'text | json', 'text')
    .action(
      action(async (name: string, f: ConnectionFlags & { format?: string }) => {
        const json = parseFormat(f.format) === 'json';
        const t = await withAdmin(f, (a) => a.describeTopic(name));
        out(json ? JSON.stringify(t) : describeText(t));
      }),
    );
  withConnection(topics.command('delete <name>'))
    .description('delete a topic and its records')
    .action(
      action(async (name: string, f: ConnectionFlags) => {
        await withAdmin(f, (a) => a.deleteTopic(name));
        out(`deleted topic ${name}`);
      }),
    );
}
