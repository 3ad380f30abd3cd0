/** `polymq certs create`: a development CA with server and client certificates for the TLS listeners. */
import path from 'node:path';
import type { Command } from 'commander';
import { generateCertificates } from '../../security/certs';
import { action, out } from './common';

interface CreateFlags {
  out: string;
  host: string[];
  client: string;
}

export function registerCerts(program: Command): void {
  const certs = program.command('certs').description('certificate tooling for the TLS listeners');
  certs
    .command('create')
    .description('write a development CA, a server certificate and a client certificate (PEM) into a directory')
    .option('--out <dir>', 'directory to write into', 'certs/generated')
    .option('--host <name>', 'host name or IP address the server certificate is valid for (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--client <name>', 'common name of the client certificate', 'guest')
    .action(
      action(async (f: CreateFlags) => {
        const hosts = f.host.length > 0 ? f.host : ['localhost', '127.0.0.1', '::1'];
        const files = generateCertificates(path.resolve(f.out), hosts, f.client);
        out(`CA          ${files.caCert}`);
        out(`server      ${files.serverCert} (key ${files.serverKey}) for ${hosts.join(', ')}`);
        out(`client      ${files.clientCert} (key ${files.clientKey}) CN=${f.client}`);
        out(`start with: polymq start --tls-cert-file ${files.serverCert} --tls-key-file ${files.serverKey} --tls-ca-file ${files.caCert}`);
      }),
    );
}
