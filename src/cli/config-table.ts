/** The README's configuration table, rendered from OPTIONS so the two cannot drift (test/config/readme.test.ts). */
import { OPTIONS } from '../config';

export function renderConfigTable(): string {
  const rows = OPTIONS.map((o) => `| \`${o.key}\` | \`${o.env}\` | \`${o.flag}\` | ${o.doc.replace(/\|/g, '\\|')} |`);
  return ['| key (config file) | environment | flag | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
