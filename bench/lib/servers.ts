/**
 * Brokers under benchmark, each as a child process on loopback with its own temp dir: polymq (this build),
 * RabbitMQ and Mosquitto (Debian packages, installed by conformance/reference/install.sh) and Aedes (npm).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
/** Longest a reference broker may take to start. */
export const SERVER_START_TIMEOUT_MS = 90_000;

export interface RunningServer {
  name: string;
  pid: number;
  /** Ports by protocol name ('amqp', 'mqtt', 'native', 'http'). */
  ports: Record<string, number>;
  stop(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = SERVER_START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exitPromise(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startPolymq(extraArgs: string[] = []): Promise<RunningServer> {
  const dataDir = tempDir('polymq-bench-');
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'dist/src/cli/main.js'), 'start', '--data-dir', dataDir, '--host', '127.0.0.1',
      '--amqp-port', '0', '--mqtt-port', '0', '--native-port', '0', '--http-port', '0', '--sys-interval-seconds', '0', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, POLYMQ_LOG_LEVEL: 'info' } },
  );
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('polymq did not start')), SERVER_START_TIMEOUT_MS);
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('polymq started')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { ports: Record<string, number> }).ports);
    });
    child.once('exit', (code) => reject(new Error(`polymq exited ${code}`)));
  });
  child.stdout!.resume();
  return {
    name: 'polymq',
    pid: child.pid ?? 0,
    ports,
    async stop() {
      child.kill('SIGTERM');
      await exitPromise(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function haveRabbitmq(): boolean {
  return fs.existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server');
}

export function haveMosquitto(): boolean {
  return fs.existsSync('/usr/sbin/mosquitto');
}

/** RabbitMQ from Debian, run as a plain process (not the system service) with its own node name and dirs. */
export async function startRabbitmq(): Promise<RunningServer> {
  const dir = tempDir('rabbitmq-bench-');
  const port = await freePort();
  const distPort = await freePort();
  fs.writeFileSync(path.join(dir, 'enabled_plugins'), '[].\n');
  fs.writeFileSync(path.join(dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${port}\nloopback_users = none\n`);
  const nodename = `bench${process.pid}@localhost`;
  const env = {
    ...process.env,
    HOME: dir,
    RABBITMQ_NODENAME: nodename,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: path.join(dir, 'pid'),
  };
  const child = spawn('/usr/lib/rabbitmq/bin/rabbitmq-server', [], { env, stdio: 'ignore', detached: true });
  await waitForPort(port);
  // The node's beam.smp (not the short-lived epmd starter, which shares -home): the one that boots rabbit.
  const beamPid = Number(spawnSync('pgrep', ['-f', `beam.smp.*-home ${dir} .*-s rabbit boot`]).stdout.toString().trim().split('\n')[0] || 0);
  return {
    name: 'rabbitmq',
    pid: beamPid || child.pid || 0,
    ports: { amqp: port },
    async stop() {
      spawnSync('/usr/lib/rabbitmq/bin/rabbitmqctl', ['-n', nodename, 'stop'], { env, stdio: 'ignore', timeout: 60_000 });
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // already gone
      }
      await exitPromise(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Mosquitto from Debian with persistence on (so QoS 1 is compared against a broker that writes to disk too). */
export async function startMosquitto(): Promise<RunningServer> {
  const dir = tempDir('mosquitto-bench-');
  const port = await freePort();
  fs.writeFileSync(
    path.join(dir, 'mosquitto.conf'),
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${dir}/\nmax_queued_messages 1000000\nmax_inflight_messages 1000\nlog_type error\n`,
  );
  const child = spawn('/usr/sbin/mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  await waitForPort(port);
  return {
    name: 'mosquitto',
    pid: child.pid ?? 0,
    ports: { mqtt: port },
    async stop() {
      child.kill('SIGTERM');
      await exitPromise(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Aedes (npm) on a plain TCP server, in-memory persistence (its default). */
export async function startAedes(): Promise<RunningServer> {
  const port = await freePort();
  const script = `const {Aedes}=require('aedes');const net=require('net');Aedes.createBroker().then((b)=>net.createServer(b.handle).listen(${port},'127.0.0.1'));`;
  // stderr is kept: when Aedes dies under a scenario (it did once in QoS 0 100 B 1→100), the bench log says why.
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'inherit'], cwd: REPO_ROOT });
  await waitForPort(port);
  return {
    name: 'aedes',
    pid: child.pid ?? 0,
    ports: { mqtt: port },
    async stop() {
      child.kill('SIGTERM');
      await exitPromise(child);
    },
  };
}

/** Resident set size of a process in bytes (from /proc). */
export function rssBytes(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
}
