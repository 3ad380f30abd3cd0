/** The client commands of `polymq` (the lead's main.ts adds `start`). */
import type { Command } from 'commander';
import { registerCerts } from './certs';
import { registerConsume } from './consume';
import { registerGroups } from './groups';
import { registerSend } from './send';
import { registerStatus } from './status';
import { registerStop } from './stop';
import { registerTopics } from './topics';

export function registerClientCommands(program: Command): void {
  registerSend(program);
  registerConsume(program);
  registerStatus(program);
  registerStop(program);
  registerTopics(program);
  registerGroups(program);
  registerCerts(program);
}
