import { messageToMqtt, mqttToMessage } from '../../protocols/mqtt/convert';

describe('mqtt convert', () => {
  test('v5 properties round-trip through the core message', () => {
    const now = 1_000_000;
    const msg = mqttToMessage(
      {
        topic: 'req/a.b',
        payload: Buffer.from('hi'),
        qos: 1,
        retain: true,
        properties: {
          contentType: 'text/plain',
          responseTopic: 'resp/x',
          correlationData: Buffer.from('c1'),
          messageExpiryInterval: 60,
          payloadFormatIndicator: true,
          userProperties: { k: 'v', multi: ['1', '2'] },
        },
      },
      'pub-1',
      now,
    );
    expect(msg.exchange).toBe('amq.topic');
    expect(msg.routingKey).toBe('req.a/b');
    expect(msg.properties.replyTo).toBe('resp.x');
    expect(msg.properties.correlationId).toBe('c1');
    expect(msg.properties.expiration).toBe('60000');
    expect(msg.properties.deliveryMode).toBe(2);
    expect(msg.properties.headers?.['x-mqtt-publish-qos']).toBe(1);
    const out = messageToMqtt(msg, now + 10_500);
    expect(out.topic).toBe('req/a.b');
    expect(out.publishQos).toBe(1);
    expect(out.retainFlag).toBe(true);
    expect(out.publisher).toBe('pub-1');
    // [MQTT-3.3.2-6] expiry decremented by the time waited (10.5 s → 50 s left, rounded up).
    expect(out.properties).toEqual({
      contentType: 'text/plain',
      responseTopic: 'resp/x',
      correlationData: Buffer.from('c1'),
      messageExpiryInterval: 50,
      payloadFormatIndicator: true,
      userProperties: { k: 'v', multi: ['1', '2'] },
    });
  });

  test('binary correlation data survives as a header; expired messages report <= 0', () => {
    const cd = Buffer.from([0xff, 0x00, 0xfe]);
    const msg = mqttToMessage({ topic: 't', payload: Buffer.alloc(0), qos: 0, retain: false, properties: { correlationData: cd, messageExpiryInterval: 1 } }, 'c', 0);
    expect(msg.properties.correlationId).toBeUndefined();
    const out = messageToMqtt(msg, 5000);
    expect(out.properties.correlationData).toEqual(cd);
    expect(out.expiryRemainingSec).toBeLessThanOrEqual(0);
    expect(out.properties.messageExpiryInterval).toBeUndefined();
  });

  test('propertyFree: only the adapter’s own headers → nothing v5-specific to write', () => {
    const plain = mqttToMessage({ topic: 'a/b', payload: Buffer.from('x'), qos: 1, retain: false }, 'c', 0);
    expect(messageToMqtt(plain, 0)).toMatchObject({ propertyFree: true, properties: {} });
    const withUser = mqttToMessage({ topic: 'a/b', payload: Buffer.from('x'), qos: 1, retain: false, properties: { userProperties: { k: 'v' } } }, 'c', 0);
    expect(messageToMqtt(withUser, 0).propertyFree).toBe(false);
    const withType = mqttToMessage({ topic: 'a/b', payload: Buffer.from('x'), qos: 1, retain: true, properties: { contentType: 't' } }, 'c', 0);
    expect(messageToMqtt(withType, 0).propertyFree).toBe(false);
  });

  test('AMQP-origin message: key → topic, headers → user properties, no publish QoS', () => {
    const out = messageToMqtt(
      { exchange: 'amq.topic', routingKey: 'sensors.kitchen', body: Buffer.from('21'), properties: { headers: { n: 5, flag: true, nested: { a: 1 } }, correlationId: 'abc' } },
      0,
    );
    expect(out.topic).toBe('sensors/kitchen');
    expect(out.publishQos).toBeUndefined();
    expect(out.properties.userProperties).toEqual({ n: '5', flag: 'true' });
    expect(out.properties.correlationData).toEqual(Buffer.from('abc'));
  });
});
