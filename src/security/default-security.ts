/**
 * The security seam's default until the security issue lands: one user (guest/guest), allowed from loopback only
 * (RabbitMQ's loopback_users), with every permission on every vhost. MQTT clients without a username act as
 * that user when mqttAllowAnonymous is on.
 */
import net from 'node:net';
import { BrokerError } from '../core/errors';
import type { AuthenticatedUser, SecurityHooks } from '../core/types';

export interface DefaultSecurityOptions {
  defaultUser: string;
  defaultPass: string;
  loopbackUsers: readonly string[];
  mqttAllowAnonymous: boolean;
}

export function isLoopback(address: string): boolean {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (a === '::1') return true;
  return net.isIPv4(a) && a.startsWith('127.');
}

export function createDefaultSecurity(opts: DefaultSecurityOptions): SecurityHooks {
  return {
    async authenticate(req): Promise<AuthenticatedUser> {
      let { username, password } = req;
      if (req.protocol === 'mqtt' && username === '' && opts.mqttAllowAnonymous) {
        username = opts.defaultUser;
        password = opts.defaultPass;
      }
      if (username !== opts.defaultUser || password !== opts.defaultPass) {
        throw new BrokerError('ACCESS_REFUSED', `ACCESS_REFUSED - Login was refused using authentication mechanism ${req.mechanism}. For details see the broker logfile.`);
      }
      if (opts.loopbackUsers.includes(username) && !isLoopback(req.remoteAddress)) {
        throw new BrokerError('ACCESS_REFUSED', `ACCESS_REFUSED - User '${username}' can only connect via localhost`);
      }
      return { username, tags: ['administrator'] };
    },
    authorize(): void {
      // Every permission: per-user permissions arrive with the security issue.
    },
  };
}
