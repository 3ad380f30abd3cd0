import { BrokerError } from '../../../src/core/errors';
import { decodeAuthenticate, type AuthenticateRequest } from '../codec/requests';
import { encodeAuthenticateResponse } from '../codec/responses';
import type { Handler } from '../handler';

/** SASL PLAIN payload: [authzid] \0 authcid \0 password (RFC 4616). */
function parsePlain(payload: Buffer): { username: string; password: string } {
  const parts = payload.toString('utf8').split('\0');
  if (parts.length !== 3) throw new BrokerError('ACCESS_REFUSED', 'malformed PLAIN payload');
  return { username: parts[1], password: parts[2] };
}

export const authenticateHandler: Handler<AuthenticateRequest> = {
  decode: decodeAuthenticate,
  async handle(conn, corr, req) {
    if (conn.state !== 'AWAIT_AUTH') {
      conn.fail('UNEXPECTED_FRAME', 'already authenticated', corr);
      return;
    }
    try {
      if (req.mechanism !== 'PLAIN') throw new BrokerError('ACCESS_REFUSED', `unsupported mechanism ${req.mechanism}`);
      const { username, password } = parsePlain(req.payload);
      const user = await conn.ctx.security.authenticate({
        mechanism: req.mechanism,
        username,
        password,
        remoteAddress: conn.info.remoteAddress,
        protocol: 'native',
      });
      conn.authenticated(user);
      conn.send(encodeAuthenticateResponse(corr, user.username));
    } catch (err) {
      // Failed authentication always closes, whatever the reason.
      const code = err instanceof BrokerError ? err.code : 'ACCESS_REFUSED';
      conn.fail(code, err instanceof Error ? err.message : 'authentication failed', corr);
    }
  },
};
