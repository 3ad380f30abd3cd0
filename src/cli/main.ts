#!/usr/bin/env node
/** The `polymq` command. Argument parsing by commander (well kept, typed), not by hand. */
import { Command } from 'commander';
import { registerStart } from './start';
import { registerClientCommands } from './commands';

export function buildProgram(): Command {
  const program = new Command();
  program.name('polymq').description('polymq message broker: AMQP 0-9-1, MQTT 3.1.1/5.0 and native protocol').version('0.1.0');
  registerStart(program);
  registerClientCommands(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`polymq: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
