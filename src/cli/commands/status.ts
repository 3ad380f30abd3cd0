/** `polymq status`: listeners, topics, groups with lag, storage. */
import type { Command } from 'commander';
import { action, out, parseFormat, table, withAdmin, withConnection, type ConnectionFlags } from './common';

export function registerStatus(program: Command): void {
  withConnection(program.command('status'))
    .description('show broker status: listeners, topics, consumer groups with lag, storage')
    .option('--format <fmt>', 'text | json', 'text')
    .action(
      action(async (f: ConnectionFlags & { format?: string }) => {
        const json = parseFormat(f.format) === 'json';
        const s = await withAdmin(f, (a) => a.status());
        if (json) {
          out(JSON.stringify(s, null, 2));
          return;
        }
        out(`node ${s.node}  up ${Math.round(s.uptimeMs / 1000)} s  native connections ${s.nativeConnections}${s.alarms.blocked ? `  ALARM: ${s.alarms.reason ?? ''}` : ''}`);
        out('');
        out(table(['LISTENER', 'HOST', 'PORT'], s.listeners.map((l) => [l.protocol, l.host, l.port])));
        out('');
        out(table(['TOPIC', 'PARTITIONS', 'RECORDS', 'BYTES'], s.topics.map((t) => [t.name, t.partitions, t.records, t.sizeBytes])));
        out('');
        out(table(['GROUP', 'STATE', 'MEMBERS', 'LAG'], s.groups.map((g) => [g.groupId, g.state, g.members, g.lag])));
        out('');
        out(table(['STORAGE', 'VALUE'], Object.entries(s.storage).map(([k, v]) => [k, String(v)])));
      }),
    );
}
