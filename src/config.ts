/**
 * Configuration: defaults ← polymq.config.json ← environment (POLYMQ_*) ← command-line flags. Each option is
 * declared once in OPTIONS (name, env, flag, type, default, doc); the README's config table is written from it.
 * Bad values stop the start with one line naming the key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BrokerError } from './core/errors';
import { LIMITS, type Limits } from './core/limits';

export interface BrokerConfig {
  dataDir: string;
  host: string;
  amqpPort: number;
  mqttPort: number;
  nativePort: number;
  httpPort: number;
  /** SQLite synchronous mode for segments and metadata: 'full' (ack = fsynced) or 'normal'. */
  synchronous: 'full' | 'normal';
  quarantineCorrupt: boolean;
  /** Where segment commits run: a writer worker thread (default) or the main thread. */
  storageWriter: 'worker' | 'main';
  logLevel: string;
  nodeName: string;
  defaultUser: string;
  defaultPass: string;
  /** Users that may only connect from loopback (RabbitMQ's loopback_users). */
  loopbackUsers: string[];
  /** MQTT clients without credentials are treated as the default user (Mosquitto local mode, RabbitMQ's allow_anonymous). */
  mqttAllowAnonymous: boolean;
  /** Virtual hosts served; the first is the default for MQTT and native clients. */
  vhosts: string[];
  /** Interval between $SYS publications, seconds (0 = off). */
  sysIntervalSeconds: number;
  /** PEM server certificate (chain) and key; with both set the TLS listeners start. */
  tlsCertFile: string;
  tlsKeyFile: string;
  /** PEM CA bundle clients' certificates are verified against (mTLS). */
  tlsCaFile: string;
  /** Ask every TLS client for a certificate and refuse the handshake without a valid one. */
  tlsVerifyPeer: boolean;
  amqpsPort: number;
  mqttsPort: number;
  httpsPort: number;
  limits: Limits;
}

type Kind = 'string' | 'port' | 'int' | 'bool' | 'enum' | 'list';

export interface OptionSpec {
  key: string;
  env: string;
  flag: string;
  kind: Kind;
  values?: readonly string[];
  doc: string;
}

function limitEnvName(key: string): string {
  return 'POLYMQ_' + key.replace(/([A-Z])/g, '_$1').toUpperCase();
}
function limitFlagName(key: string): string {
  return '--' + key.replace(/([A-Z])/g, '-$1').toLowerCase();
}

const BASE_OPTIONS: OptionSpec[] = [
  { key: 'dataDir', env: 'POLYMQ_DATA_DIR', flag: '--data-dir', kind: 'string', doc: 'Directory for segments and metadata (default ./data).' },
  { key: 'host', env: 'POLYMQ_HOST', flag: '--host', kind: 'string', doc: 'Address every listener binds (default 0.0.0.0).' },
  { key: 'amqpPort', env: 'POLYMQ_AMQP_PORT', flag: '--amqp-port', kind: 'port', doc: 'AMQP 0-9-1 listener (default 5672; 0 = any free port).' },
  { key: 'mqttPort', env: 'POLYMQ_MQTT_PORT', flag: '--mqtt-port', kind: 'port', doc: 'MQTT listener (default 1883).' },
  { key: 'nativePort', env: 'POLYMQ_NATIVE_PORT', flag: '--native-port', kind: 'port', doc: 'Native protocol listener (default 5680).' },
  { key: 'httpPort', env: 'POLYMQ_HTTP_PORT', flag: '--http-port', kind: 'port', doc: 'HTTP: /metrics, /api, WebSocket /mqtt and /native (default 15672).' },
  { key: 'synchronous', env: 'POLYMQ_SYNCHRONOUS', flag: '--synchronous', kind: 'enum', values: ['full', 'normal'], doc: "'full' (default): an ack means fsynced. 'normal': survives a process crash, may lose the last commits on power loss." },
  { key: 'quarantineCorrupt', env: 'POLYMQ_QUARANTINE_CORRUPT', flag: '--quarantine-corrupt', kind: 'bool', doc: 'Move corrupt segment files to <dataDir>/quarantine and start anyway (default false: refuse to start).' },
  { key: 'storageWriter', env: 'POLYMQ_STORAGE_WRITER', flag: '--storage-writer', kind: 'enum', values: ['worker', 'main'], doc: "Where segment commits run: 'worker' (default, keeps the event loop free) or 'main' (the event loop)." },
  { key: 'logLevel', env: 'POLYMQ_LOG_LEVEL', flag: '--log-level', kind: 'enum', values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], doc: 'Log level (default info).' },
  { key: 'nodeName', env: 'POLYMQ_NODE_NAME', flag: '--node-name', kind: 'string', doc: 'Name of this node (default polymq@<hostname>).' },
  { key: 'defaultUser', env: 'POLYMQ_DEFAULT_USER', flag: '--default-user', kind: 'string', doc: 'The built-in user (default guest).' },
  { key: 'defaultPass', env: 'POLYMQ_DEFAULT_PASS', flag: '--default-pass', kind: 'string', doc: 'Its password (default guest).' },
  { key: 'loopbackUsers', env: 'POLYMQ_LOOPBACK_USERS', flag: '--loopback-users', kind: 'list', doc: 'Comma-separated users allowed from loopback only (default guest).' },
  { key: 'mqttAllowAnonymous', env: 'POLYMQ_MQTT_ALLOW_ANONYMOUS', flag: '--mqtt-allow-anonymous', kind: 'bool', doc: 'MQTT clients without a username act as the default user (default true; loopback rule still applies).' },
  { key: 'vhosts', env: 'POLYMQ_VHOSTS', flag: '--vhosts', kind: 'list', doc: "Comma-separated virtual hosts (default '/'); the first is used by MQTT and native clients." },
  { key: 'sysIntervalSeconds', env: 'POLYMQ_SYS_INTERVAL_SECONDS', flag: '--sys-interval-seconds', kind: 'int', doc: 'Seconds between MQTT $SYS updates (default 10; 0 = off).' },
  { key: 'tlsCertFile', env: 'POLYMQ_TLS_CERT_FILE', flag: '--tls-cert-file', kind: 'string', doc: 'PEM server certificate (chain). With --tls-key-file it turns on the TLS listeners (default: none, TLS off).' },
  { key: 'tlsKeyFile', env: 'POLYMQ_TLS_KEY_FILE', flag: '--tls-key-file', kind: 'string', doc: 'PEM private key of that certificate.' },
  { key: 'tlsCaFile', env: 'POLYMQ_TLS_CA_FILE', flag: '--tls-ca-file', kind: 'string', doc: 'PEM CA bundle that client certificates are verified against (mTLS).' },
  { key: 'tlsVerifyPeer', env: 'POLYMQ_TLS_VERIFY_PEER', flag: '--tls-verify-peer', kind: 'bool', doc: 'Require a client certificate signed by --tls-ca-file on every TLS listener (default false).' },
  { key: 'amqpsPort', env: 'POLYMQ_AMQPS_PORT', flag: '--amqps-port', kind: 'port', doc: 'AMQP over TLS, when TLS is configured (default 5671).' },
  { key: 'mqttsPort', env: 'POLYMQ_MQTTS_PORT', flag: '--mqtts-port', kind: 'port', doc: 'MQTT over TLS, when TLS is configured (default 8883).' },
  { key: 'httpsPort', env: 'POLYMQ_HTTPS_PORT', flag: '--https-port', kind: 'port', doc: 'HTTPS: the HTTP API and WebSocket /mqtt and /native over TLS (wss), when TLS is configured (default 15671).' },
];

const LIMIT_DOCS: Record<keyof Limits, string> = {
  amqpFrameMaxBytes: 'AMQP frame_max offered in connection.tune.',
  amqpChannelMax: 'AMQP channel_max offered in connection.tune.',
  amqpHeartbeatSeconds: 'AMQP heartbeat offered in connection.tune.',
  messageSizeMaxBytes: 'Largest message body accepted on any protocol.',
  mqttPacketSizeMaxBytes: 'Largest MQTT packet accepted (announced as Maximum Packet Size).',
  nativeFrameMaxBytes: 'Largest native protocol frame.',
  connectionsMax: 'Connections per listener; further ones are refused.',
  mqttOfflineQueueMax: 'Messages queued for an offline MQTT session (oldest dropped beyond).',
  mqttReceiveMax: 'MQTT 5 Receive Maximum announced (in-flight QoS 1/2 per client).',
  mqttTopicAliasMax: 'MQTT 5 Topic Alias Maximum announced.',
  memoryHighWatermarkBytes: 'RSS above which publishers are blocked.',
  diskFreeLimitBytes: 'Free disk below which publishers are blocked.',
  socketWriteBufferMaxBytes: 'Bytes queued on one socket before deliveries to it pause.',
  segmentSizeMaxBytes: 'Segment files are sealed at this size.',
  groupCommitDelayMaxMs: 'Upper bound on the wait for a group commit (commits run on the next event-loop turn, sooner than this).',
  groupCommitBytesMax: 'Buffered bytes that force a group commit.',
};

export const OPTIONS: readonly OptionSpec[] = [
  ...BASE_OPTIONS,
  ...(Object.keys(LIMITS) as Array<keyof Limits>).map((k) => ({
    key: `limits.${k}`,
    env: limitEnvName(k),
    flag: limitFlagName(k),
    kind: 'int' as const,
    doc: `${LIMIT_DOCS[k]} (default ${LIMITS[k]})`,
  })),
];

export function defaultConfig(): BrokerConfig {
  return {
    dataDir: path.resolve('data'),
    host: '0.0.0.0',
    amqpPort: 5672,
    mqttPort: 1883,
    nativePort: 5680,
    httpPort: 15672,
    synchronous: 'full',
    quarantineCorrupt: false,
    storageWriter: 'worker',
    logLevel: 'info',
    nodeName: `polymq@${require('node:os').hostname()}`,
    defaultUser: 'guest',
    defaultPass: 'guest',
    loopbackUsers: ['guest'],
    mqttAllowAnonymous: true,
    vhosts: ['/'],
    sysIntervalSeconds: 10,
    tlsCertFile: '',
    tlsKeyFile: '',
    tlsCaFile: '',
    tlsVerifyPeer: false,
    amqpsPort: 5671,
    mqttsPort: 8883,
    httpsPort: 15671,
    limits: { ...LIMITS },
  };
}

function invalid(key: string, source: string, why: string): BrokerError {
  return new BrokerError('INVALID_CONFIG', `invalid config ${key} (${source}): ${why}`);
}

function coerce(spec: OptionSpec, raw: unknown, source: string): unknown {
  const asString = typeof raw === 'string' ? raw.trim() : raw;
  switch (spec.kind) {
    case 'string':
      if (typeof asString !== 'string' || asString === '') throw invalid(spec.key, source, 'expected a non-empty string');
      return asString;
    case 'port':
    case 'int': {
      const n = typeof asString === 'number' ? asString : typeof asString === 'string' && /^-?\d+$/.test(asString) ? Number(asString) : NaN;
      if (!Number.isSafeInteger(n) || n < 0) throw invalid(spec.key, source, `expected a non-negative integer, got ${JSON.stringify(raw)}`);
      if (spec.kind === 'port' && n > 65535) throw invalid(spec.key, source, `port out of range: ${n}`);
      return n;
    }
    case 'bool':
      if (typeof asString === 'boolean') return asString;
      if (asString === 'true' || asString === '1' || asString === 'yes') return true;
      if (asString === 'false' || asString === '0' || asString === 'no') return false;
      throw invalid(spec.key, source, `expected true or false, got ${JSON.stringify(raw)}`);
    case 'enum':
      if (typeof asString !== 'string' || !(spec.values ?? []).includes(asString))
        throw invalid(spec.key, source, `expected one of ${(spec.values ?? []).join(', ')}, got ${JSON.stringify(raw)}`);
      return asString;
    case 'list':
      if (Array.isArray(asString) && asString.every((x) => typeof x === 'string')) return asString;
      if (typeof asString === 'string') return asString.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      throw invalid(spec.key, source, 'expected a list of strings');
  }
}

function setKey(cfg: BrokerConfig, key: string, value: unknown): void {
  if (key.startsWith('limits.')) {
    (cfg.limits as Record<string, number>)[key.slice(7)] = value as number;
  } else {
    (cfg as unknown as Record<string, unknown>)[key] = value;
  }
}

function flattenFile(obj: Record<string, unknown>, file: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'limits' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [lk, lv] of Object.entries(v as Record<string, unknown>)) out.set(`limits.${lk}`, lv);
    } else out.set(k, v);
  }
  for (const k of out.keys()) {
    if (!OPTIONS.some((o) => o.key === k)) throw invalid(k, file, 'unknown key');
  }
  return out;
}

export interface ConfigSources {
  /** Path of a JSON config file; default ./polymq.config.json when it exists; null = no file. */
  file?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Values from flags, keyed by option key (e.g. 'amqpPort', 'limits.amqpChannelMax'), raw strings or values. */
  flags?: Record<string, unknown>;
  /** Programmatic overrides (embedding), applied last. */
  overrides?: Partial<Omit<BrokerConfig, 'limits'>> & { limits?: Partial<Limits> };
}

export function loadConfig(sources: ConfigSources = {}): BrokerConfig {
  const cfg = defaultConfig();
  const env = sources.env ?? process.env;
  const explicitFile = sources.file === null ? undefined : (sources.file ?? env.POLYMQ_CONFIG);
  const file = explicitFile ?? path.resolve('polymq.config.json');
  if (sources.file !== null && (explicitFile !== undefined || fs.existsSync(file))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new BrokerError('INVALID_CONFIG', `cannot read config file ${file}: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new BrokerError('INVALID_CONFIG', `config file ${file} must hold a JSON object`);
    for (const [k, v] of flattenFile(parsed as Record<string, unknown>, file)) {
      const spec = OPTIONS.find((o) => o.key === k);
      if (spec) setKey(cfg, k, coerce(spec, v, file));
    }
  }
  for (const spec of OPTIONS) {
    const v = env[spec.env];
    if (v !== undefined && v !== '') setKey(cfg, spec.key, coerce(spec, v, `env ${spec.env}`));
  }
  for (const [k, v] of Object.entries(sources.flags ?? {})) {
    if (v === undefined) continue;
    const spec = OPTIONS.find((o) => o.key === k);
    if (!spec) throw invalid(k, 'flags', 'unknown option');
    setKey(cfg, k, coerce(spec, v, `flag ${spec.flag}`));
  }
  const o = sources.overrides;
  if (o) {
    const { limits, ...rest } = o;
    Object.assign(cfg, rest);
    if (limits) Object.assign(cfg.limits, limits);
  }
  cfg.dataDir = path.resolve(cfg.dataDir);
  if (cfg.vhosts.length === 0) throw invalid('vhosts', 'merged config', 'at least one virtual host is required');
  if ((cfg.tlsCertFile === '') !== (cfg.tlsKeyFile === '')) {
    throw invalid(cfg.tlsCertFile === '' ? 'tlsCertFile' : 'tlsKeyFile', 'merged config', 'TLS needs both tlsCertFile and tlsKeyFile');
  }
  if (cfg.tlsVerifyPeer && cfg.tlsCaFile === '') throw invalid('tlsCaFile', 'merged config', 'tlsVerifyPeer needs a CA file to verify client certificates against');
  return cfg;
}
