/**
 * Generates methods.generated.ts from RabbitMQ's extended AMQP 0-9-1 spec
 * (node_modules/bramqp/specification/rabbitmq/full/amqp0-9-1.stripped.extended.xml), after amqplib's
 * bin/generate-defs.js and RabbitMQ's codegen.py: one straight-line decoder and encoder per method, bits packed
 * into octets, sizes computed up front, no per-field dynamic dispatch.
 *
 *   node dist/protocols/amqp/codec/generate.js        # rewrites protocols/amqp/codec/methods.generated.ts
 *
 * The XML is simple (no CDATA, no entities we need), so it is parsed here with a small tag scanner.
 * The stripped XML lacks two things RabbitMQ's own codegen input (rabbitmq-codegen amqp-rabbitmq-0.9.1.json)
 * has, added by SUPPLEMENT_XML below: connection.update-secret/-ok (RabbitMQ 3.6 extension, class 10 methods
 * 70/71) and the deprecated access class (30), which clients such as amqplib still know. Reserved fields get the
 * names RabbitMQ gives them (ticket, capabilities, insist, known-hosts, out-of-band, channel-id, cluster-id).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type WireType = 'bit' | 'octet' | 'short' | 'long' | 'longlong' | 'timestamp' | 'shortstr' | 'longstr' | 'table';

export interface SpecField {
  /** Spec name after reserved-field renaming, e.g. "routing-key", "ticket". */
  name: string;
  type: WireType;
  /** longstr fields whose bytes matter (SASL, secrets, mechanism lists) decode to Buffer, not string. */
  bytes: boolean;
}

export interface SpecMethod {
  name: string;
  index: number;
  synchronous: boolean;
  content: boolean;
  fields: SpecField[];
}

export interface SpecClass {
  name: string;
  index: number;
  methods: SpecMethod[];
  /** Content properties (only the basic class has them). */
  properties: SpecField[];
}

export const SPEC_RELATIVE_PATH = 'node_modules/bramqp/specification/rabbitmq/full/amqp0-9-1.stripped.extended.xml';
export const OUTPUT_RELATIVE_PATH = 'protocols/amqp/codec/methods.generated.ts';

/** Methods and a class from RabbitMQ's amqp-rabbitmq-0.9.1.json that the stripped XML does not carry. */
const SUPPLEMENT_XML = `
<amqp>
  <class name="connection" index="10">
    <method name="update-secret" synchronous="1" index="70">
      <field name="new-secret" domain="longstr"/>
      <field name="reason" domain="shortstr"/>
    </method>
    <method name="update-secret-ok" synchronous="1" index="71"/>
  </class>
  <class name="access" index="30">
    <method name="request" synchronous="1" index="10">
      <field name="realm" domain="shortstr"/>
      <field name="exclusive" domain="bit"/>
      <field name="passive" domain="bit"/>
      <field name="active" domain="bit"/>
      <field name="write" domain="bit"/>
      <field name="read" domain="bit"/>
    </method>
    <method name="request-ok" synchronous="1" index="11">
      <field name="ticket" domain="short"/>
    </method>
  </class>
</amqp>`;

/** RabbitMQ's names for the spec's reserved fields (as in rabbit_framing_amqp_0_9_1 and amqplib). */
const RESERVED_NAMES: Record<string, string> = {
  'connection.open.reserved-1': 'capabilities',
  'connection.open.reserved-2': 'insist',
  'connection.open-ok.reserved-1': 'known-hosts',
  'channel.open.reserved-1': 'out-of-band',
  'channel.open-ok.reserved-1': 'channel-id',
  'basic.get-empty.reserved-1': 'cluster-id',
  'basic.reserved': 'cluster-id',
};

/** longstr fields that carry bytes rather than text. */
const BYTES_FIELDS = new Set([
  'connection.start.mechanisms',
  'connection.start.locales',
  'connection.start-ok.response',
  'connection.secure.challenge',
  'connection.secure-ok.response',
  'connection.update-secret.new-secret',
]);

// ---------------------------------------------------------------------------------------------------------
// A minimal XML scanner: elements with attributes, comments and the prolog skipped.

interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { tag: '#root', attrs: {}, children: [] };
  const stack: XmlElement[] = [root];
  const tagRe = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.-]+\s*=\s*"[^"]*")*)\s*(\/?)>/g;
  const attrRe = /([\w.-]+)\s*=\s*"([^"]*)"/g;
  let m: RegExpExecArray | null;
  while ((m = tagRe.exec(xml)) !== null) {
    if (m[2] === undefined) continue; // comment or prolog
    const [, closing, tag, attrText, selfClosing] = m;
    const top = stack[stack.length - 1];
    if (closing) {
      if (top.tag !== tag) throw new Error(`XML: </${tag}> closes <${top.tag}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    let a: RegExpExecArray | null;
    attrRe.lastIndex = 0;
    while ((a = attrRe.exec(attrText)) !== null) attrs[a[1]] = a[2];
    const el: XmlElement = { tag, attrs, children: [] };
    top.children.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`XML: <${stack[stack.length - 1].tag}> is not closed`);
  return root;
}

function child(el: XmlElement, tag: string): XmlElement {
  const c = el.children.find((x) => x.tag === tag);
  if (!c) throw new Error(`XML: no <${tag}> in <${el.tag}>`);
  return c;
}

function int(s: string | undefined, what: string): number {
  const n = Number(s);
  if (s === undefined || !Number.isInteger(n)) throw new Error(`XML: bad integer for ${what}: ${s}`);
  return n;
}

const WIRE_TYPES = new Set<string>(['bit', 'octet', 'short', 'long', 'longlong', 'timestamp', 'shortstr', 'longstr', 'table']);

/** Parses the spec (plus the supplement) into classes ordered by index, methods ordered by index. */
export function parseSpec(specXml: string): SpecClass[] {
  const amqp = child(parseXml(specXml), 'amqp');
  const domains = new Map<string, string>();
  for (const d of amqp.children.filter((x) => x.tag === 'domain')) domains.set(d.attrs.name, d.attrs.type);
  const resolve = (f: XmlElement, owner: string): WireType => {
    const t = f.attrs.type ?? domains.get(f.attrs.domain);
    if (t === undefined || !WIRE_TYPES.has(t)) throw new Error(`spec: cannot resolve type of ${owner}.${f.attrs.name}`);
    return t as WireType;
  };
  const toField = (f: XmlElement, owner: string): SpecField => {
    const type = resolve(f, owner);
    const key = `${owner}.${f.attrs.name}`;
    const name = RESERVED_NAMES[key] ?? f.attrs.name;
    if (f.attrs.reserved === '1' && RESERVED_NAMES[key] === undefined && f.attrs.name === 'reserved-1') {
      // RabbitMQ calls the reserved short in exchange/queue/basic methods "ticket" (the 0-8 access ticket).
      if (type !== 'short') throw new Error(`spec: unnamed reserved field ${key}`);
      return { name: 'ticket', type, bytes: false };
    }
    return { name, type, bytes: type === 'longstr' && BYTES_FIELDS.has(`${owner}.${name}`) };
  };

  const classes = new Map<string, SpecClass>();
  const addClasses = (root: XmlElement): void => {
    for (const c of root.children.filter((x) => x.tag === 'class')) {
      let cls = classes.get(c.attrs.name);
      if (!cls) {
        cls = { name: c.attrs.name, index: int(c.attrs.index, c.attrs.name), methods: [], properties: [] };
        classes.set(cls.name, cls);
      }
      for (const f of c.children.filter((x) => x.tag === 'field')) cls.properties.push(toField(f, cls.name));
      for (const m of c.children.filter((x) => x.tag === 'method')) {
        const owner = `${cls.name}.${m.attrs.name}`;
        if (cls.methods.some((x) => x.name === m.attrs.name)) throw new Error(`spec: duplicate method ${owner}`);
        cls.methods.push({
          name: m.attrs.name,
          index: int(m.attrs.index, owner),
          synchronous: m.attrs.synchronous === '1',
          content: m.attrs.content === '1',
          fields: m.children.filter((x) => x.tag === 'field').map((f) => toField(f, owner)),
        });
      }
    }
  };
  addClasses(amqp);
  addClasses(child(parseXml(SUPPLEMENT_XML), 'amqp'));
  const out = [...classes.values()].sort((a, b) => a.index - b.index);
  for (const c of out) c.methods.sort((a, b) => a.index - b.index);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Code generation

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function pascal(name: string): string {
  const c = camel(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

function tsType(f: SpecField): string {
  switch (f.type) {
    case 'bit':
      return 'boolean';
    case 'octet':
    case 'short':
    case 'long':
    case 'longlong':
    case 'timestamp':
      return 'number';
    case 'shortstr':
      return 'string';
    case 'longstr':
      return f.bytes ? 'Buffer' : 'string';
    case 'table':
      return 'HeaderTable';
  }
}

const FIXED_SIZE: Partial<Record<WireType, number>> = { octet: 1, short: 2, long: 4, longlong: 8, timestamp: 8 };

/** A method's fields with consecutive bits grouped into octets (at most 8 per octet), as §4.2.5.2 packs them. */
type Packed = { kind: 'field'; field: SpecField } | { kind: 'bits'; fields: SpecField[] };

function pack(fields: SpecField[]): Packed[] {
  const out: Packed[] = [];
  for (const f of fields) {
    const last = out[out.length - 1];
    if (f.type === 'bit') {
      if (last && last.kind === 'bits' && last.fields.length < 8) last.fields.push(f);
      else out.push({ kind: 'bits', fields: [f] });
    } else {
      out.push({ kind: 'field', field: f });
    }
  }
  return out;
}

function hex32(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

function genInterface(c: SpecClass, m: SpecMethod): string {
  const name = pascal(c.name) + pascal(m.name);
  const doc = `/** ${c.name}.${m.name} (${c.index}/${m.index})${m.content ? ', carries content' : ''}${m.synchronous ? ', synchronous' : ''}. */`;
  if (m.fields.length === 0) return `${doc}\nexport type ${name} = Record<string, never>;\n`;
  const lines = m.fields.map((f) => `  /** ${f.type}${f.bytes ? ' (bytes)' : ''} */\n  ${camel(f.name)}: ${tsType(f)};`);
  return `${doc}\nexport interface ${name} {\n${lines.join('\n')}\n}\n`;
}

function genDecoder(c: SpecClass, m: SpecMethod): string {
  const name = pascal(c.name) + pascal(m.name);
  const full = `${c.name}.${m.name}`;
  const L: string[] = [];
  L.push(`function decode${name}(p: Buffer): ${name} {`);
  if (m.fields.length === 0) {
    L.push(`  if (p.length !== 4) throw trailing('${full}');`);
    L.push('  return {};');
    L.push('}');
    return L.join('\n') + '\n';
  }
  L.push('  const end = p.length;');
  L.push('  let o = 4;');
  const needsLen = m.fields.some((f) => f.type === 'shortstr' || f.type === 'longstr' || f.type === 'table');
  if (needsLen) L.push('  let len = 0;');
  const packed = pack(m.fields);
  // Bounds: before each run of fixed-size data (including the length prefix of the next variable field) one
  // check; after reading a variable length, one check for its content.
  let i = 0;
  while (i < packed.length) {
    let run = 0;
    let j = i;
    for (; j < packed.length; j++) {
      const p = packed[j];
      if (p.kind === 'bits') run += 1;
      else if (FIXED_SIZE[p.field.type] !== undefined) run += FIXED_SIZE[p.field.type] ?? 0;
      else {
        run += p.field.type === 'shortstr' ? 1 : 4;
        break;
      }
    }
    L.push(`  if (o + ${run} > end) throw truncated('${full}');`);
    const stop = Math.min(j, packed.length - 1);
    for (let k = i; k <= stop; k++) {
      const p = packed[k];
      if (p.kind === 'bits') {
        L.push('  {');
        L.push('    const bits = p[o++];');
        p.fields.forEach((f, bit) => L.push(`    var_${camel(f.name)} = (bits & ${1 << bit}) !== 0;`));
        L.push('  }');
        continue;
      }
      const f = p.field;
      const v = `var_${camel(f.name)}`;
      switch (f.type) {
        case 'octet':
          L.push(`  ${v} = p[o++];`);
          break;
        case 'short':
          L.push(`  ${v} = (p[o] << 8) | p[o + 1];`, '  o += 2;');
          break;
        case 'long':
          L.push(`  ${v} = p.readUInt32BE(o);`, '  o += 4;');
          break;
        case 'longlong':
        case 'timestamp':
          L.push(`  ${v} = readU64(p, o);`, '  o += 8;');
          break;
        case 'shortstr':
          L.push('  len = p[o++];', `  if (o + len > end) throw truncated('${full}');`);
          // RabbitMQ validates shortstr UTF-8 except in content-bearing methods (codegen.py, for speed).
          L.push(`  ${v} = ${m.content ? 'readUtf8' : 'readShortStrChecked'}(p, o, o + len);`, '  o += len;');
          break;
        case 'longstr':
          L.push('  len = p.readUInt32BE(o);', '  o += 4;', `  if (o + len > end) throw truncated('${full}');`);
          L.push(f.bytes ? `  ${v} = Buffer.from(p.subarray(o, o + len));` : `  ${v} = p.toString('utf8', o, o + len);`);
          L.push('  o += len;');
          break;
        case 'table':
          L.push('  len = p.readUInt32BE(o);', '  o += 4;', `  if (o + len > end) throw truncated('${full}');`);
          L.push(`  ${v} = decodeTableBody(p, o, o + len, 0);`, '  o += len;');
          break;
        case 'bit':
          throw new Error('unreachable');
      }
    }
    i = stop + 1;
  }
  L.push(`  if (o !== end) throw trailing('${full}');`);
  L.push(`  return { ${m.fields.map((f) => `${camel(f.name)}: var_${camel(f.name)}`).join(', ')} };`);
  L.push('}');
  // Declarations first, so the straight-line body above can assign.
  const decls = m.fields.map((f) => `  let var_${camel(f.name)}: ${tsType(f)};`);
  L.splice(1, 0, ...decls);
  return L.join('\n') + '\n';
}

function genEncoder(c: SpecClass, m: SpecMethod): string {
  const name = pascal(c.name) + pascal(m.name);
  const id = (c.index << 16) | m.index;
  const L: string[] = [];
  const argName = m.fields.length === 0 ? '_a' : 'a';
  L.push(`export function encode${name}(channel: number, ${argName}: ${name}): Buffer {`);
  let fixed = 4; // class-id + method-id
  const varParts: string[] = [];
  for (const p of pack(m.fields)) {
    if (p.kind === 'bits') {
      fixed += 1;
      continue;
    }
    const f = p.field;
    const n = camel(f.name);
    switch (f.type) {
      case 'shortstr':
        L.push(`  const ${n}Len = shortStrLength(a.${n}, '${n}');`);
        fixed += 1;
        varParts.push(`${n}Len`);
        break;
      case 'longstr':
        L.push(f.bytes ? `  const ${n}Len = bytesLength(a.${n}, '${n}');` : `  const ${n}Len = longStrLength(a.${n}, '${n}');`);
        fixed += 4;
        varParts.push(`${n}Len`);
        break;
      case 'table':
        L.push(`  const ${n}Bytes = encodeFieldTable(a.${n});`);
        varParts.push(`${n}Bytes.length`);
        break;
      default:
        fixed += FIXED_SIZE[f.type] ?? 0;
    }
  }
  const size = [String(fixed), ...varParts].join(' + ');
  L.push(`  const size = ${size};`);
  L.push('  const b = Buffer.allocUnsafe(size + 8);');
  L.push('  b[0] = FRAME_METHOD;');
  L.push("  checkUint(channel, 0xffff, 'channel');");
  L.push('  b[1] = channel >>> 8;');
  L.push('  b[2] = channel & 0xff;');
  L.push('  b.writeUInt32BE(size, 3);');
  L.push(`  b.writeUInt32BE(${hex32(id)}, 7);`);
  if (m.fields.length > 0) L.push('  let o = 11;');
  for (const p of pack(m.fields)) {
    if (p.kind === 'bits') {
      const expr = p.fields.map((f, bit) => `(a.${camel(f.name)} ? ${1 << bit} : 0)`).join(' | ');
      L.push(`  b[o++] = ${expr};`);
      continue;
    }
    const f = p.field;
    const n = camel(f.name);
    switch (f.type) {
      case 'octet':
        L.push(`  b[o++] = checkUint(a.${n}, 0xff, '${n}');`);
        break;
      case 'short':
        L.push(`  b.writeUInt16BE(checkUint(a.${n}, 0xffff, '${n}'), o);`, '  o += 2;');
        break;
      case 'long':
        L.push(`  b.writeUInt32BE(checkUint(a.${n}, 0xffffffff, '${n}'), o);`, '  o += 4;');
        break;
      case 'longlong':
      case 'timestamp':
        L.push(`  writeU64(b, checkU64(a.${n}, '${n}'), o);`, '  o += 8;');
        break;
      case 'shortstr':
        L.push(`  b[o] = ${n}Len;`, `  o = writeUtf8(b, a.${n}, o + 1, ${n}Len);`);
        break;
      case 'longstr':
        L.push(`  b.writeUInt32BE(${n}Len, o);`);
        L.push(f.bytes ? `  copyInto(b, o + 4, a.${n});` : `  writeUtf8(b, a.${n}, o + 4, ${n}Len);`);
        L.push(`  o += 4 + ${n}Len;`);
        break;
      case 'table':
        L.push(`  copyInto(b, o, ${n}Bytes);`, `  o += ${n}Bytes.length;`);
        break;
      case 'bit':
        throw new Error('unreachable');
    }
  }
  L.push('  b[size + 7] = FRAME_END;');
  L.push('  return b;');
  L.push('}');
  return L.join('\n') + '\n';
}

/** Generates the TypeScript source of methods.generated.ts. Pure: the no-diff test calls it. */
export function generate(specXml: string): string {
  const classes = parseSpec(specXml);
  const all: Array<{ c: SpecClass; m: SpecMethod; ts: string; full: string; id: number }> = [];
  for (const c of classes) {
    for (const m of c.methods) {
      all.push({ c, m, ts: pascal(c.name) + pascal(m.name), full: `${c.name}.${m.name}`, id: (c.index << 16) | m.index });
    }
  }
  const out: string[] = [];
  out.push(`// GENERATED — do not edit. Regenerate: npx tsc -p . && node dist/protocols/amqp/codec/generate.js
// Source: ${SPEC_RELATIVE_PATH}
// plus the supplement in protocols/amqp/codec/generate.ts (connection.update-secret, access class).
/* eslint-disable */
import type { HeaderTable } from '../../../src/core/message';
import { BrokerError } from '../../../src/core/errors';
import { decodeTableBody, encodeFieldTable } from './field-table';
import { FRAME_END, FRAME_METHOD } from './frames';
import {
  bytesLength,
  checkU64,
  checkUint,
  copyInto,
  longStrLength,
  MethodDecodeError,
  readShortStrChecked,
  readU64,
  readUtf8,
  shortStrLength,
  truncated,
  writeU64,
  writeUtf8,
} from './primitives';
`);
  for (const x of all) out.push(genInterface(x.c, x.m));
  out.push('/** Every method of every class, as decoded from or encoded to a method frame. */');
  out.push('export type AmqpMethod =');
  out.push(
    all.map((x) => `  | { name: '${x.full}'; classId: ${x.c.index}; methodId: ${x.m.index}; args: ${x.ts} }`).join('\n') + ';\n',
  );
  out.push('export type AmqpMethodName = AmqpMethod[\'name\'];\n');
  out.push('/** The argument type of a method, by name. */');
  out.push('export type MethodArgs<N extends AmqpMethodName> = Extract<AmqpMethod, { name: N }>[\'args\'];\n');
  out.push('/** Methods followed by a content header and body frames (§2.3.5.2). */');
  out.push('export const METHOD_HAS_CONTENT: ReadonlySet<AmqpMethodName> = new Set<AmqpMethodName>([');
  out.push(all.filter((x) => x.m.content).map((x) => `  '${x.full}',`).join('\n'));
  out.push(']);\n');
  out.push('/** Methods the spec marks synchronous (the peer answers with a -ok method unless no-wait is set). */');
  out.push('export const METHOD_IS_SYNCHRONOUS: ReadonlySet<AmqpMethodName> = new Set<AmqpMethodName>([');
  out.push(all.filter((x) => x.m.synchronous).map((x) => `  '${x.full}',`).join('\n'));
  out.push(']);\n');
  out.push('export type MethodFieldType =');
  out.push("  'bit' | 'octet' | 'short' | 'long' | 'longlong' | 'timestamp' | 'shortstr' | 'longstr' | 'longstr-bytes' | 'table';\n");
  out.push('export interface MethodInfo {');
  out.push('  classId: number;');
  out.push('  methodId: number;');
  out.push('  /** Argument names (camelCase) and wire types, in wire order. */');
  out.push('  fields: ReadonlyArray<{ name: string; type: MethodFieldType }>;');
  out.push('}\n');
  out.push('/** Per-method metadata: ids and argument layout (used by tests and by error reporting). */');
  out.push('export const METHOD_INFO: Readonly<Record<AmqpMethodName, MethodInfo>> = {');
  for (const x of all) {
    const fields = x.m.fields
      .map((f) => `{ name: '${camel(f.name)}', type: '${f.type === 'longstr' && f.bytes ? 'longstr-bytes' : f.type}' }`)
      .join(', ');
    out.push(`  '${x.full}': { classId: ${x.c.index}, methodId: ${x.m.index}, fields: [${fields}] },`);
  }
  out.push('};\n');
  out.push('/** The name of a method id, or undefined when the spec has no such method. */');
  out.push('export function methodName(classId: number, methodId: number): AmqpMethodName | undefined {');
  out.push('  switch (((classId << 16) | methodId) >>> 0) {');
  for (const x of all) out.push(`    case ${hex32(x.id)}: return '${x.full}';`);
  out.push('    default: return undefined;');
  out.push('  }');
  out.push('}\n');
  out.push('/** Builds a method value from its name and arguments (fills in class and method ids). */');
  out.push('export function makeMethod<N extends AmqpMethodName>(name: N, args: MethodArgs<N>): Extract<AmqpMethod, { name: N }> {');
  out.push('  const info = METHOD_INFO[name];');
  out.push('  return { name, classId: info.classId, methodId: info.methodId, args } as unknown as Extract<AmqpMethod, { name: N }>;');
  out.push('}\n');
  out.push(`function trailing(method: string): BrokerError {
  return new BrokerError('FRAME_ERROR', \`cannot decode \${method}: bytes after the last argument\`);
}
`);
  for (const x of all) out.push(genDecoder(x.c, x.m));
  for (const x of all) out.push(genEncoder(x.c, x.m));
  out.push(`/**
 * Decodes the payload of a type-1 frame. Throws BrokerError: FRAME_ERROR (501) for a payload that does not
 * match the method's layout (truncated, trailing bytes, malformed UTF-8 in a shortstr: RabbitMQ's "cannot
 * decode"), SYNTAX_ERROR (502) for an unknown field-table type tag, COMMAND_INVALID (503) for an unknown
 * class/method id; as a MethodDecodeError carrying the class and method ids the frame named (unless the payload
 * is too short to name any).
 */
export function decodeMethod(p: Buffer): AmqpMethod {
  if (p.length < 4) throw truncated('method frame');
  const id = p.readUInt32BE(0);
  try {
    return decodeById(id, p);
  } catch (e) {
    if (e instanceof BrokerError && !(e instanceof MethodDecodeError)) throw new MethodDecodeError(e, id >>> 16, id & 0xffff);
    throw e;
  }
}

function decodeById(id: number, p: Buffer): AmqpMethod {
  switch (id) {`);
  for (const x of all) {
    out.push(`    case ${hex32(x.id)}:`);
    out.push(`      return { name: '${x.full}', classId: ${x.c.index}, methodId: ${x.m.index}, args: decode${x.ts}(p) };`);
  }
  out.push(`    default:
      throw new BrokerError('COMMAND_INVALID', \`unknown method \${id >>> 16}/\${id & 0xffff}\`);
  }
}

/** Encodes a complete method frame (header, payload, frame-end) for the channel. */
export function encodeMethod(channel: number, method: AmqpMethod): Buffer {
  switch (method.name) {`);
  for (const x of all) {
    out.push(`    case '${x.full}':`);
    out.push(`      return encode${x.ts}(channel, method.args);`);
  }
  out.push(`  }
}
`);
  return out.join('\n');
}

/** The repository root: the nearest ancestor of this file holding package.json. */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + from);
    dir = up;
  }
}

export function readSpec(root: string = repoRoot()): string {
  return fs.readFileSync(path.join(root, SPEC_RELATIVE_PATH), 'utf8');
}

if (require.main === module) {
  const root = repoRoot();
  const target = path.join(root, OUTPUT_RELATIVE_PATH);
  fs.writeFileSync(target, generate(readSpec(root)));
  process.stdout.write(`wrote ${path.relative(root, target)}\n`);
}
