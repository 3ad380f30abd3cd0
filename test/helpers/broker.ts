/**
 * Test harness: a real broker on ephemeral loopback ports with a temp data dir, either in this process
 * (`startBroker`) or as a child process (`startBrokerProcess`) for restart and kill -9 tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Broker, type BrokerOptions, type BrokerPorts } from '../../src/broker';
import { tempDir } from './util';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const CLI_PATH = path.join(REPO_ROOT, 'dist/src/cli/main.js');
/** Longest a child broker may take to start or stop in tests. */
export const BROKER_START_TIMEOUT_MS = 30_000;

export { tempDir, waitFor } from './util';

export interface InProcessBroker {
  broker: Broker;
  ports: BrokerPorts;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startBroker(opts: BrokerOptions = {}): Promise<InProcessBroker> {
  const dataDir = opts.dataDir ?? tempDir();
  const broker = new Broker({
    host: '127.0.0.1',
    amqpPort: 0,
    mqttPort: 0,
    nativePort: 0,
    httpPort: 0,
    ...opts,
    dataDir,
  });
  await broker.start();
  return { broker, ports: broker.ports(), dataDir, stop: () => broker.stop() };
}

export interface ChildBroker {
  ports: BrokerPorts;
  dataDir: string;
  process: ChildProcess;
  /** Lines the child wrote to stderr (for diagnosing failures). */
  stderr: string[];
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Start again on the same data dir and ports (after stop or kill). */
  restart(): Promise<ChildBroker>;
}

export interface ChildBrokerOptions {
  dataDir?: string;
  ports?: Partial<BrokerPorts>;
  /** Extra CLI flags, e.g. ['--synchronous', 'normal']. */
  args?: string[];
  env?: Record<string, string>;
}

export async function startBrokerProcess(opts: ChildBrokerOptions = {}): Promise<ChildBroker> {
  const dataDir = opts.dataDir ?? tempDir();
  const p = opts.ports ?? {};
  const args = [
    CLI_PATH,
    'start',
    '--data-dir', dataDir,
    '--host', '127.0.0.1',
    '--amqp-port', String(p.amqp ?? 0),
    '--mqtt-port', String(p.mqtt ?? 0),
    '--native-port', String(p.native ?? 0),
    '--http-port', String(p.http ?? 0),
    ...(opts.args ?? []),
  ];
  fs.mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, args, {
    cwd: dataDir,
    env: { ...process.env, POLYMQ_LOG_LEVEL: 'info', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (err) => {
      stderr.push(String(err));
      resolve(null);
    });
  });

  const ports = await new Promise<BrokerPorts>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start in time: ${stderr.join('\n')}`)), BROKER_START_TIMEOUT_MS);
    const rl = readline.createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (!line.includes('polymq started')) return;
      try {
        const rec = JSON.parse(line) as { ports?: BrokerPorts };
        if (rec.ports) {
          clearTimeout(timer);
          resolve(rec.ports);
        }
      } catch {
        // not a log line of ours
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${code}) before starting: ${stderr.join('\n')}`));
    });
  });
  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout!.resume();

  const handle: ChildBroker = {
    ports,
    dataDir,
    process: child,
    stderr,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    restart() {
      return startBrokerProcess({ ...opts, dataDir, ports });
    },
  };
  return handle;
}

