/**
 * Connection class (10) methods on channel 0: start-ok (SASL), tune-ok, open, close, close-ok, update-secret.
 * The state each method is valid in is checked here; out-of-order methods are 504 CHANNEL_ERROR connection
 * errors like RabbitMQ's "unexpected method in connection state".
 */
import { isBrokerError } from '../../../src/core/errors';
import { AMQP_ADAPTER_LIMITS, REPLY } from '../constants';
import { AmqpError } from '../errors';
import type { AmqpConnection, ConnectionState } from '../connection';
import { parseSaslResponse } from '../sasl';
import { clientCapabilities } from '../server-properties';
import type { AmqpMethod, MethodArgs } from '../wire';

function expectState(conn: AmqpConnection, state: ConnectionState, name: string): void {
  if (conn.state !== state) {
    throw new AmqpError(REPLY.CHANNEL_ERROR, `unexpected method '${name}' in connection state ${conn.state}`, true);
  }
}

export function handleConnectionMethod(conn: AmqpConnection, method: AmqpMethod): Promise<void> | undefined {
  switch (method.name) {
    case 'connection.start-ok':
      expectState(conn, 'start-ok', method.name);
      return startOk(conn, method.args);
    case 'connection.tune-ok':
      expectState(conn, 'tune-ok', method.name);
      tuneOk(conn, method.args);
      return undefined;
    case 'connection.open':
      expectState(conn, 'open', method.name);
      open(conn, method.args);
      return undefined;
    case 'connection.close':
      conn.clientClosed();
      return undefined;
    case 'connection.close-ok':
      // Only meaningful while we are closing (handled by the connection); otherwise ignored like RabbitMQ.
      return undefined;
    case 'connection.update-secret':
      expectState(conn, 'opened', method.name);
      return updateSecret(conn, method.args);
    default:
      throw new AmqpError(REPLY.COMMAND_INVALID, `unexpected method '${method.name}' on channel 0`, true);
  }
}

async function startOk(conn: AmqpConnection, args: MethodArgs<'connection.start-ok'>): Promise<void> {
  conn.clientProperties = args.clientProperties;
  conn.clientCapabilities = clientCapabilities(args.clientProperties);
  const mechanism = String(args.mechanism);
  if (mechanism !== 'PLAIN' && mechanism !== 'AMQPLAIN') {
    throw new AmqpError(REPLY.COMMAND_INVALID, `unknown authentication mechanism '${mechanism}'`, true);
  }
  conn.authMechanism = mechanism;
  const response = Buffer.isBuffer(args.response) ? args.response : Buffer.from(String(args.response), 'latin1');
  try {
    const creds = parseSaslResponse(mechanism, response);
    conn.user = await conn.ctx.security.authenticate({
      mechanism,
      username: creds.username,
      password: creds.password,
      remoteAddress: conn.info.remoteAddress,
      protocol: 'amqp',
    });
  } catch (err) {
    if (!isBrokerError(err) || err.code !== 'ACCESS_REFUSED') throw err;
    conn.log.info({ mechanism }, 'authentication failed');
    // rabbitmq.com/docs/auth-notification: with authentication_failure_close the client gets a 403 close,
    // otherwise the socket is just closed (what pre-0-9-1 clients expect).
    if (conn.clientCapabilities.has('authentication_failure_close')) {
      conn.close(REPLY.ACCESS_REFUSED, `Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`, 10, 11);
    } else {
      conn.destroy();
    }
    return;
  }
  if (conn.state !== 'start-ok') return;
  conn.state = 'tune-ok';
  conn.send(0, 'connection.tune', {
    channelMax: conn.ctx.limits.amqpChannelMax,
    frameMax: conn.ctx.limits.amqpFrameMaxBytes,
    heartbeat: conn.ctx.limits.amqpHeartbeatSeconds,
  });
}

/** AMQP 0-9-1 §1.4.2.6: the client may lower but not raise our proposals; 0 means "no limit" (= ours). */
function tuneOk(conn: AmqpConnection, args: MethodArgs<'connection.tune-ok'>): void {
  const serverFrameMax = conn.ctx.limits.amqpFrameMaxBytes;
  const serverChannelMax = conn.ctx.limits.amqpChannelMax;
  const frameMax = Number(args.frameMax) === 0 ? serverFrameMax : Number(args.frameMax);
  const channelMax = Number(args.channelMax) === 0 ? serverChannelMax : Number(args.channelMax);
  if (frameMax < AMQP_ADAPTER_LIMITS.frameMinBytes) {
    throw new AmqpError(REPLY.NOT_ALLOWED, `frame_max=${frameMax} < ${AMQP_ADAPTER_LIMITS.frameMinBytes} min size`, true);
  }
  if (frameMax > serverFrameMax) {
    throw new AmqpError(REPLY.NOT_ALLOWED, `frame_max=${frameMax} > ${serverFrameMax} max size`, true);
  }
  if (channelMax > serverChannelMax) {
    throw new AmqpError(REPLY.NOT_ALLOWED, `channel_max=${channelMax} > ${serverChannelMax} max channels`, true);
  }
  conn.applyTune(frameMax, channelMax, Number(args.heartbeat));
  conn.state = 'open';
}

function open(conn: AmqpConnection, args: MethodArgs<'connection.open'>): void {
  const name = String(args.virtualHost);
  const vhost = conn.ctx.vhost(name);
  if (vhost === undefined) throw new AmqpError(REPLY.NOT_ALLOWED, `vhost ${name} not found`, true);
  conn.opened(vhost);
  conn.send(0, 'connection.open-ok', { knownHosts: '' });
}

/** rabbitmq.com/docs/access-control#token-refresh: a new secret (e.g. a refreshed JWT) is re-authenticated. */
async function updateSecret(conn: AmqpConnection, args: MethodArgs<'connection.update-secret'>): Promise<void> {
  const user = conn.user;
  if (user === null) throw new AmqpError(REPLY.NOT_ALLOWED, 'not authenticated', true);
  const secret: unknown = args.newSecret;
  const password = Buffer.isBuffer(secret) ? secret.toString('utf8') : String(secret);
  try {
    conn.user = await conn.ctx.security.authenticate({
      mechanism: conn.authMechanism,
      username: user.username,
      password,
      remoteAddress: conn.info.remoteAddress,
      protocol: 'amqp',
    });
  } catch (err) {
    if (isBrokerError(err) && err.code === 'ACCESS_REFUSED') {
      throw new AmqpError(REPLY.NOT_ALLOWED, `refused updating secret: ${err.message}`, true);
    }
    throw err;
  }
  conn.send(0, 'connection.update-secret-ok', {});
}
