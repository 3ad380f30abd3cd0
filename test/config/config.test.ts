import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { BrokerError } from '../../src/core/errors';
import { tempDir } from '../helpers/util';

function errorOf(fn: () => unknown): BrokerError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BrokerError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('config', () => {
  it('has zero-config defaults on the standard ports', () => {
    const c = loadConfig({ env: {}, file: null });
    expect([c.amqpPort, c.mqttPort, c.nativePort, c.httpPort]).toEqual([5672, 1883, 5680, 15672]);
    expect(c.dataDir).toBe(path.resolve('data'));
    expect(c.synchronous).toBe('full');
  });

  it('layers file < environment < flags', () => {
    const dir = tempDir();
    const file = path.join(dir, 'polymq.config.json');
    fs.writeFileSync(file, JSON.stringify({ amqpPort: 1111, mqttPort: 2222, nativePort: 3333, limits: { amqpChannelMax: 7 } }));
    const c = loadConfig({
      file,
      env: { POLYMQ_MQTT_PORT: '4444', POLYMQ_NATIVE_PORT: '5555', POLYMQ_AMQP_CHANNEL_MAX: '9' },
      flags: { nativePort: '6666' },
    });
    expect([c.amqpPort, c.mqttPort, c.nativePort, c.limits.amqpChannelMax]).toEqual([1111, 4444, 6666, 9]);
  });

  it('names the bad key in a one-line error', () => {
    const e1 = errorOf(() => loadConfig({ env: { POLYMQ_AMQP_PORT: 'abc' }, file: null }));
    expect(e1.code).toBe('INVALID_CONFIG');
    expect(e1.message).toContain('amqpPort');
    expect(e1.message).not.toContain('\n');
    const dir = tempDir();
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ amqpPrt: 1 }));
    expect(errorOf(() => loadConfig({ file, env: {} })).message).toContain('amqpPrt');
    expect(errorOf(() => loadConfig({ env: { POLYMQ_SYNCHRONOUS: 'sometimes' }, file: null })).message).toContain('synchronous');
    expect(errorOf(() => loadConfig({ env: { POLYMQ_HTTP_PORT: '70000' }, file: null })).message).toContain('httpPort');
  });
});
