/**
 * Opens many AMQP connections × channels and holds them, to measure the broker's RSS.
 * Usage: node dist/bench/amqp-connections.js <url> <connections> <channelsPerConnection>
 * Prints "ready" when all are open, then waits for stdin to close.
 */
import amqp from 'amqplib';

async function main(): Promise<void> {
  const [url, connArg, chArg] = process.argv.slice(2);
  const conns: amqp.ChannelModel[] = [];
  const batch = 50;
  for (let i = 0; i < Number(connArg); i += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, Number(connArg) - i) }, async () => {
        const c = await amqp.connect(url);
        for (let j = 0; j < Number(chArg); j++) await c.createChannel();
        return c;
      }),
    );
    conns.push(...opened);
  }
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.on('end', () => {
    void Promise.allSettled(conns.map((c) => c.close())).then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`amqp-connections: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
