/** `polymq certs create` writes a CA, server and client certificates that `polymq start --tls-*` then serves with. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { CLI_PATH, startBrokerProcess, tempDir, type ChildBroker } from '../helpers/broker';

const run = promisify(execFile);
let broker: ChildBroker | undefined;

afterAll(async () => {
  await broker?.stop();
});

test('certs create, then start with the TLS flags: the MQTTS port presents a certificate signed by that CA', async () => {
  const dir = path.join(tempDir(), 'generated');
  const { stdout } = await run(process.execPath, [CLI_PATH, 'certs', 'create', '--out', dir, '--host', 'localhost', '--host', '127.0.0.1']);
  expect(stdout).toContain('start with: polymq start --tls-cert-file');
  for (const f of ['ca.pem', 'server.pem', 'server-key.pem', 'client.pem', 'client-key.pem']) expect(fs.existsSync(path.join(dir, f))).toBe(true);
  // Private keys are readable by their owner only.
  expect(fs.statSync(path.join(dir, 'server-key.pem')).mode & 0o077).toBe(0);

  broker = await startBrokerProcess({
    args: ['--tls-cert-file', path.join(dir, 'server.pem'), '--tls-key-file', path.join(dir, 'server-key.pem'), '--mqtts-port', '0', '--amqps-port', '0', '--https-port', '0'],
  });
  const port = broker.ports.mqtts;
  const peer = await new Promise<string>((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca: fs.readFileSync(path.join(dir, 'ca.pem')) }, () => {
      const cn = s.getPeerCertificate().subject.CN;
      s.end();
      resolve(String(cn));
    });
    s.once('error', reject);
  });
  expect(peer).toBe('localhost');
});

test('start with a missing key file exits 2 with one line naming the key', async () => {
  const err = await run(process.execPath, [CLI_PATH, 'start', '--data-dir', tempDir(), '--tls-cert-file', '/nonexistent/cert.pem', '--tls-key-file', '/nonexistent/key.pem']).then(
    () => null,
    (e: { code: number; stderr: string }) => e,
  );
  expect(err?.code).toBe(2);
  expect(err?.stderr.trim().split('\n')).toHaveLength(1);
  expect(err?.stderr).toMatch(/invalid config tlsCertFile: cannot read \/nonexistent\/cert.pem/);
});
