/** `polymq groups list|describe|reset-offsets`. */
import type { Command } from 'commander';
import type { GroupInfo, OffsetResetSpec } from '../../core/types';
import { action, out, parseFormat, parseFrom, table, withAdmin, withConnection, type ConnectionFlags } from './common';

function describeText(g: GroupInfo): string {
  const head = `group ${g.groupId}  state ${g.state}  generation ${g.generation}  assignor ${g.assignor}  members ${g.members.length}`;
  const members = table(
    ['MEMBER', 'CLIENT', 'ASSIGNMENT'],
    g.members.map((m) => [m.memberId, m.clientId, m.assignment.map((a) => `${a.topic}:${a.partitions.join(',')}`).join(' ')]),
  );
  const lag = table(
    ['TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG'],
    g.lag.map((l) => [l.topic, l.partition, l.committed === null ? '-' : l.committed, l.endOffset, l.lag]),
  );
  return `${head}\n\n${members}\n\n${lag}`;
}

export function registerGroups(program: Command): void {
  const groups = program.command('groups').description('inspect and manage consumer groups');
  withConnection(groups.command('list'))
    .description('list consumer groups')
    .option('--format <fmt>', 'text | json', 'text')
    .action(
      action(async (f: ConnectionFlags & { format?: string }) => {
        const json = parseFormat(f.format) === 'json';
        const list = await withAdmin(f, (a) => a.listGroups());
        if (json) out(JSON.stringify(list));
        else for (const g of list) out(g);
      }),
    );
  withConnection(groups.command('describe <group>'))
    .description('members, assignment, committed offsets and lag')
    .option('--format <fmt>', 'text | json', 'text')
    .action(
      action(async (group: string, f: ConnectionFlags & { format?: string }) => {
        const json = parseFormat(f.format) === 'json';
        const g = await withAdmin(f, (a) => a.describeGroup(group));
        out(json ? JSON.stringify(g) : describeText(g));
      }),
    );
  withConnection(groups.command('reset-offsets <group>'))
    .description('set committed offsets of a group for a topic (the group must have no members)')
    .requiredOption('--topic <name>', 'topic')
    .requiredOption('--to <where>', 'earliest | latest | offset:N | time:ISO')
    .option('--format <fmt>', 'text | json', 'text')
    .action(
      action(async (group: string, f: ConnectionFlags & { topic: string; to: string; format?: string }) => {
        const json = parseFormat(f.format) === 'json';
        const spec: OffsetResetSpec = parseFrom(f.to);
        const offsets = await withAdmin(f, (a) => a.resetOffsets(group, f.topic, spec));
        if (json) out(JSON.stringify(offsets));
        else out(table(['TOPIC', 'PARTITION', 'OFFSET'], offsets.map((o) => [o.topic, o.partition, o.offset])));
      }),
    );
}
