import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Broker } from '../../src/broker';
import { CLI_PATH, startBroker, startBrokerProcess } from '../helpers/broker';
import { tempDir } from '../helpers/util';

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('broker lifecycle', () => {
  it('starts as a process with every listener open and stops cleanly on SIGTERM', async () => {
    const b = await startBrokerProcess();
    for (const port of Object.values(b.ports)) expect(await canConnect(port)).toBe(true);
    const res = await fetch(`http://127.0.0.1:${b.ports.http}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('polymq_broker');
    expect(await b.stop()).toBe(0);
    expect(fs.existsSync(path.join(b.dataDir, 'meta.sqlite'))).toBe(true);
  });

  it('refuses a bad config value with one line naming the key and exit code 2', () => {
    const r = spawnSync(process.execPath, [CLI_PATH, 'start', '--amqp-port', 'nope'], { encoding: 'utf8', env: { ...process.env, POLYMQ_DATA_DIR: tempDir() } });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('amqpPort');
    const e = spawnSync(process.execPath, [CLI_PATH, 'start'], { encoding: 'utf8', env: { ...process.env, POLYMQ_MQTT_PORT: '99999', POLYMQ_DATA_DIR: tempDir() } });
    expect(e.status).toBe(2);
    expect(e.stderr).toContain('mqttPort');
  });

  it('reports a port in use as a one-line start failure', async () => {
    const first = await startBroker();
    try {
      const second = new Broker({ dataDir: tempDir(), host: '127.0.0.1', amqpPort: first.ports.amqp, mqttPort: 0, nativePort: 0, httpPort: 0 });
      await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });

  it('is embeddable: start, serve, stop, start again on the same data dir', async () => {
    const dataDir = tempDir();
    const a = await startBroker({ dataDir });
    expect(await canConnect(a.ports.amqp)).toBe(true);
    await a.stop();
    const b = await startBroker({ dataDir });
    expect(await canConnect(b.ports.mqtt)).toBe(true);
    await b.stop();
  });
});
