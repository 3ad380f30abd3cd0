/**
 * A full disk is an alarm that blocks publishers, not a crash, and loses nothing acknowledged: the broker runs on
 * a small tmpfs, a publisher fills it with confirmed persistent messages until the broker pushes back (nack or
 * connection.blocked), the broker must still be alive and serving, and after a kill -9 and a restart on a copy of
 * the data with room to spare, every confirmed message is there. Needs root to mount tmpfs (CI runs as root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import amqp from 'amqplib';
import { startBrokerProcess, type ChildBroker } from '../helpers/broker';
import { tempDir } from '../helpers/util';

/** Size of the tmpfs the broker writes to: a few MiB fill in seconds. */
const TMPFS_SIZE = '6m';
const BODY_BYTES = 1024;
/** Far more than fits: the loop ends when the broker pushes back. */
const PUBLISH_MAX = 20_000;

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = tempDir('polymq-mnt-probe-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
  if (r.status !== 0) return false;
  spawnSync('umount', [probe]);
  return true;
}

const describeIfRoot = canMount() ? describe : describe.skip;

describeIfRoot('full disk (tmpfs, root only)', () => {
  let mountDir = '';
  let broker: ChildBroker | null = null;

  beforeAll(() => {
    mountDir = tempDir('polymq-full-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', mountDir]);
  });

  afterAll(async () => {
    if (broker) await broker.kill().catch(() => undefined);
    spawnSync('umount', ['-l', mountDir]);
  });

  it('pushes back on publishers, stays up, and keeps every confirmed message', async () => {
    const dataDir = path.join(mountDir, 'data');
    broker = await startBrokerProcess({
      dataDir,
      // No free-space margin: the writes themselves must hit ENOSPC and be refused cleanly.
      args: ['--disk-free-limit-bytes', '0', '--segment-size-max-bytes', String(1024 * 1024)],
    });
    const url = `amqp://guest:guest@127.0.0.1:${broker.ports.amqp}`;
    const conn = await amqp.connect(url);
    conn.on('error', () => undefined);
    let blocked = false;
    // A blocked connection is not read from: its confirms never come, which is the push-back we look for.
    const blockedSignal = new Promise<null>((resolve) =>
      conn.on('blocked', () => {
        blocked = true;
        resolve(null);
      }),
    );
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => undefined);
    await ch.assertQueue('fill', { durable: true });

    const confirmed: number[] = [];
    let nacked = 0;
    const body = Buffer.alloc(BODY_BYTES, 'x');
    for (let i = 0; i < PUBLISH_MAX && nacked === 0 && !blocked; i += 50) {
      const batch = Array.from({ length: 50 }, (_x, k) => i + k);
      const results = await Promise.race([
        Promise.all(
          batch.map(
            (n) =>
              new Promise<boolean>((resolve) => {
                const b = Buffer.from(body);
                b.writeUInt32BE(n, 0);
                ch.sendToQueue('fill', b, { persistent: true }, (err) => resolve(!err));
              }),
          ),
        ),
        blockedSignal,
      ]);
      if (results === null) break;
      results.forEach((ok, k) => (ok ? confirmed.push(batch[k]) : nacked++));
    }
    if (process.env.POLYMQ_TEST_VERBOSE) process.stderr.write(`disk-full: confirmed=${confirmed.length} nacked=${nacked} blocked=${blocked}\n`);
    expect(nacked > 0 || blocked).toBe(true);
    expect(confirmed.length).toBeGreaterThan(0);

    // Still alive and answering: a fresh connection completes its handshake.
    expect(broker.process.exitCode).toBeNull();
    const probe = await amqp.connect(url);
    await probe.close();

    // Crash it, move the data somewhere with room, restart: every confirmed message is there.
    await broker.kill();
    const roomy = tempDir('polymq-roomy-');
    fs.cpSync(dataDir, roomy, { recursive: true });
    broker = await startBrokerProcess({ dataDir: roomy });
    const c2 = await amqp.connect(`amqp://guest:guest@127.0.0.1:${broker.ports.amqp}`);
    const ch2 = await c2.createChannel();
    const seen = new Set<number>();
    for (;;) {
      const m = await ch2.get('fill', { noAck: true });
      if (m === false) break;
      seen.add(m.content.readUInt32BE(0));
    }
    await c2.close();
    const missing = confirmed.filter((n) => !seen.has(n));
    expect(missing).toEqual([]);
  });
});
