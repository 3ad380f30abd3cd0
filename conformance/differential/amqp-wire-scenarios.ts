/**
 * AMQP 0-9-1 differential scenarios on the wire, through RawAmqp: protocol-header negotiation and the
 * connection/channel errors a broker raises for frames amqplib never sends (unopened channels, bad frame-end,
 * unknown frame types, content frames out of sequence). Observed: the close class, reply code and the
 * class/method ids the broker blames.
 */
import {
  FRAME_BODY, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD, frame, method, PROTOCOL_HEADER, RawAmqp, shortstr, u16, u32,
} from './amqp-raw';
import { amqpScenario } from './amqp-client';
import type { Json, Scenario } from './types';

const CHANNEL_OPEN = method(20, 10, shortstr(''));
/** basic.qos prefetch-size 0, prefetch-count 1, global false. */
const BASIC_QOS = method(60, 10, Buffer.concat([u32(0), u16(1), Buffer.from([0])]));

/** Opens a raw connection, runs `send`, and reports how the broker ended things. */
async function ending(url: string, send: (raw: RawAmqp) => Promise<void> | void): Promise<Json> {
  const raw = await RawAmqp.open(url);
  try {
    await send(raw);
    return await raw.ending();
  } finally {
    raw.destroy();
  }
}

async function openChannel(raw: RawAmqp, channel: number): Promise<void> {
  raw.write(frame(FRAME_METHOD, channel, CHANNEL_OPEN));
  await raw.expectMethod(20, 11);
}

/** What the broker writes back to a protocol header, and whether it then closes the socket. */
async function headerReply(url: string, header: Buffer): Promise<Json> {
  const raw = await RawAmqp.connect(url);
  try {
    raw.write(header);
    const reply = await raw.bytes(8);
    // A protocol header is compared byte for byte; a connection.start frame only by its kind (its size
    // depends on the server properties).
    if (reply.subarray(0, 4).toString('latin1') === 'AMQP') {
      const closed = (await raw.frame().catch(() => 'timeout' as const)) === 'closed';
      return { header: reply.toString('hex'), closed };
    }
    const isStart = reply[0] === FRAME_METHOD && reply.readUInt16BE(1) === 0;
    const head = Buffer.concat([reply, isStart ? await raw.bytes(3) : Buffer.alloc(0)]);
    return { frame: isStart && head.length === 11 ? `method ${head.readUInt16BE(7)}.${head.readUInt16BE(9)}` : reply.toString('hex') };
  } finally {
    raw.destroy();
  }
}

export const wireScenarios: Scenario[] = [
  amqpScenario('protocol header of another version → broker sends its own header and closes', 'AMQP 0-9-1 §4.2.2 protocol header', async (ctx) => ({
    amqp0_9: await headerReply(ctx.url, Buffer.from([0x41, 0x4d, 0x51, 0x50, 1, 1, 0, 9])),
    amqp1_0: await headerReply(ctx.url, Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0])),
    http: await headerReply(ctx.url, Buffer.from('GET / HTTP/1.1\r\n\r\n')),
    amqp0_9_1: await headerReply(ctx.url, PROTOCOL_HEADER),
  })),

  amqpScenario('methods on an unopened or already-open channel → connection.close 504', 'AMQP 0-9-1 §2.3.7 CHANNEL_ERROR; §4.2.4', async (ctx) => ({
    qosOnUnopened: await ending(ctx.url, (raw) => raw.write(frame(FRAME_METHOD, 3, BASIC_QOS))),
    openTwice: await ending(ctx.url, async (raw) => {
      await openChannel(raw, 1);
      raw.write(frame(FRAME_METHOD, 1, CHANNEL_OPEN));
    }),
    methodOnChannelZero: await ending(ctx.url, (raw) => raw.write(frame(FRAME_METHOD, 0, BASIC_QOS))),
  })),

  amqpScenario('malformed frames → connection.close 501 FRAME_ERROR', 'AMQP 0-9-1 §4.2.3 frame-end, §2.3.7 FRAME_ERROR', async (ctx) => ({
    badFrameEnd: await ending(ctx.url, (raw) => raw.write(frame(FRAME_METHOD, 1, CHANNEL_OPEN, 0x00))),
    unknownFrameType: await ending(ctx.url, (raw) => raw.write(frame(9, 0, Buffer.alloc(0)))),
    heartbeatOnChannel: await ending(ctx.url, async (raw) => {
      await openChannel(raw, 1);
      raw.write(frame(FRAME_HEARTBEAT, 1, Buffer.alloc(0)));
    }),
  })),

  amqpScenario('content frames out of sequence → connection.close 505 UNEXPECTED_FRAME', 'AMQP 0-9-1 §4.2.6 content framing, §2.3.7 UNEXPECTED_FRAME', async (ctx) => {
    const header = Buffer.concat([u16(60), u16(0), Buffer.alloc(4), u32(1), u16(0)]);
    const publish = method(60, 40, Buffer.concat([u16(0), shortstr('amq.fanout'), shortstr(''), Buffer.from([0])]));
    return {
      headerWithoutPublish: await ending(ctx.url, async (raw) => {
        await openChannel(raw, 1);
        raw.write(frame(FRAME_HEADER, 1, header));
      }),
      bodyWithoutHeader: await ending(ctx.url, async (raw) => {
        await openChannel(raw, 1);
        raw.write(frame(FRAME_METHOD, 1, publish));
        raw.write(frame(FRAME_BODY, 1, Buffer.from('x')));
      }),
      methodInsteadOfBody: await ending(ctx.url, async (raw) => {
        await openChannel(raw, 1);
        raw.write(frame(FRAME_METHOD, 1, publish));
        raw.write(frame(FRAME_HEADER, 1, header));
        raw.write(frame(FRAME_METHOD, 1, BASIC_QOS));
      }),
    };
  }),

  amqpScenario('frame larger than the negotiated frame-max → connection.close 501', 'AMQP 0-9-1 §4.2.3 frame-max, §2.3.7 FRAME_ERROR', async (ctx) => {
    const publish = method(60, 40, Buffer.concat([u16(0), shortstr('amq.fanout'), shortstr(''), Buffer.from([0])]));
    return {
      oversizedBody: await ending(ctx.url, async (raw) => {
        await openChannel(raw, 1);
        const size = raw.frameMax + 1;
        const header = Buffer.concat([u16(60), u16(0), Buffer.alloc(4), u32(size), u16(0)]);
        raw.write(frame(FRAME_METHOD, 1, publish));
        raw.write(frame(FRAME_HEADER, 1, header));
        raw.write(frame(FRAME_BODY, 1, Buffer.alloc(size)));
      }),
    };
  }),

  amqpScenario('channel.open above the negotiated channel-max → connection.close 530', 'AMQP 0-9-1 §1.4.2.6 channel-max; §2.3.7 NOT_ALLOWED', async (ctx) => {
    const raw = await RawAmqp.open(ctx.url);
    try {
      const limited = raw.channelMax !== 0;
      raw.write(frame(FRAME_METHOD, limited ? Math.min(raw.channelMax + 1, 65535) : 65535, CHANNEL_OPEN));
      const reply = await raw.nextMethod();
      if (reply === 'closed') return { limited, reply };
      if (reply.classId === 20 && reply.methodId === 11) return { limited, reply: 'channel.open-ok' };
      return { limited, reply: await raw.ending(reply) };
    } finally {
      raw.destroy();
    }
  }),
];
