/**
 * Certificate tooling for development and tests: a private CA, a server certificate for the given host names and
 * addresses, and a client certificate (for mTLS), written as PEM files. Keys come from node:crypto (fast, native);
 * node-forge builds and signs the X.509 certificates. Production deployments bring their own certificates.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import forge from 'node-forge';

/** RSA key size of generated keys. */
export const GENERATED_KEY_BITS = 2048;
/** Validity of generated certificates. */
export const GENERATED_CERT_DAYS = 825;

export interface GeneratedCertFiles {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

interface KeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  privatePem: string;
}

function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: GENERATED_KEY_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    privatePem: privateKey,
  };
}

function newCertificate(subjectCn: string, keys: KeyPair): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  // Positive serial: a leading 0x00..0x7f byte.
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + GENERATED_CERT_DAYS * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: subjectCn }, { name: 'organizationName', value: 'polymq' }]);
  return cert;
}

/** Writes ca.pem, ca-key.pem, server.pem, server-key.pem, client.pem, client-key.pem into `dir`. */
export function generateCertificates(dir: string, hosts: readonly string[] = ['localhost', '127.0.0.1', '::1'], clientName = 'guest'): GeneratedCertFiles {
  fs.mkdirSync(dir, { recursive: true });
  const caKeys = newKeyPair();
  const ca = newCertificate('polymq development CA', caKeys);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const issue = (cn: string, keys: KeyPair, extensions: object[]): forge.pki.Certificate => {
    const cert = newCertificate(cn, keys);
    cert.setIssuer(ca.subject.attributes);
    cert.setExtensions([{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true }, ...extensions]);
    cert.sign(caKeys.privateKey, forge.md.sha256.create());
    return cert;
  };
  const serverKeys = newKeyPair();
  const altNames = hosts.map((h) => (isIP(h) !== 0 ? { type: 7, ip: h } : { type: 2, value: h }));
  const server = issue(hosts[0] ?? 'localhost', serverKeys, [{ name: 'extKeyUsage', serverAuth: true }, { name: 'subjectAltName', altNames }]);
  const clientKeys = newKeyPair();
  const client = issue(clientName, clientKeys, [{ name: 'extKeyUsage', clientAuth: true }]);

  const files: GeneratedCertFiles = {
    caCert: path.join(dir, 'ca.pem'),
    caKey: path.join(dir, 'ca-key.pem'),
    serverCert: path.join(dir, 'server.pem'),
    serverKey: path.join(dir, 'server-key.pem'),
    clientCert: path.join(dir, 'client.pem'),
    clientKey: path.join(dir, 'client-key.pem'),
  };
  const write = (file: string, pem: string, secret: boolean): void => fs.writeFileSync(file, pem, { mode: secret ? 0o600 : 0o644 });
  write(files.caCert, forge.pki.certificateToPem(ca), false);
  write(files.caKey, caKeys.privatePem, true);
  write(files.serverCert, forge.pki.certificateToPem(server), false);
  write(files.serverKey, serverKeys.privatePem, true);
  write(files.clientCert, forge.pki.certificateToPem(client), false);
  write(files.clientKey, clientKeys.privatePem, true);
  return files;
}
