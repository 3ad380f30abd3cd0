/**
 * SASL response parsing for connection.start-ok. PLAIN is "\0user\0pass" (RFC 4616); AMQPLAIN is a field table
 * without its length prefix holding LOGIN and PASSWORD (RabbitMQ's rabbit_auth_mechanism_amqplain).
 */
import { decodeFieldTable } from './codec/field-table';
import { BrokerError } from '../../src/core/errors';
import type { HeaderTable, HeaderValue } from '../../src/core/message';

export const SASL_MECHANISMS = ['PLAIN', 'AMQPLAIN'] as const;

export interface SaslCredentials {
  username: string;
  password: string;
}

export function parseSaslResponse(mechanism: string, response: Buffer): SaslCredentials {
  if (mechanism === 'PLAIN') return parsePlain(response);
  if (mechanism === 'AMQPLAIN') return parseAmqplain(response);
  throw new BrokerError('ACCESS_REFUSED', `unsupported authentication mechanism '${mechanism}'`);
}

function parsePlain(response: Buffer): SaslCredentials {
  // authzid \0 authcid \0 passwd; authzid is ignored like RabbitMQ does.
  const first = response.indexOf(0);
  const second = first < 0 ? -1 : response.indexOf(0, first + 1);
  if (first < 0 || second < 0) throw new BrokerError('ACCESS_REFUSED', 'PLAIN response is malformed');
  return {
    username: response.subarray(first + 1, second).toString('utf8'),
    password: response.subarray(second + 1).toString('utf8'),
  };
}

function parseAmqplain(response: Buffer): SaslCredentials {
  // AMQPLAIN is a field table without its 4-byte length prefix.
  const withLength = Buffer.allocUnsafe(4 + response.length);
  withLength.writeUInt32BE(response.length, 0);
  response.copy(withLength, 4);
  let table: HeaderTable;
  try {
    table = decodeFieldTable(withLength, 0).table;
  } catch {
    throw new BrokerError('ACCESS_REFUSED', 'AMQPLAIN response is malformed');
  }
  const login = plainString(table.LOGIN);
  const password = plainString(table.PASSWORD);
  if (login === null || password === null) throw new BrokerError('ACCESS_REFUSED', 'AMQPLAIN response lacks LOGIN or PASSWORD');
  return { username: login, password };
}

function plainString(v: HeaderValue | undefined): string | null {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'amqpType' in v) return plainString(v.value as HeaderValue);
  return null;
}
