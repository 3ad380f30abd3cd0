/** Prometheus metrics through prom-client (a well-kept package instead of a hand-written exposition format). */
import client from 'prom-client';

export interface MetricsRegistry {
  readonly contentType: string;
  render(): Promise<string>;
  registry: client.Registry;
}

export function createMetrics(collect: () => Record<string, number>): MetricsRegistry {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'polymq_process_' });
  const gauge = new client.Gauge({
    name: 'polymq_broker',
    help: 'Broker counters and gauges by name (connections, queues, topics, storage).',
    labelNames: ['name'],
    registers: [registry],
    collect() {
      for (const [name, value] of Object.entries(collect())) this.set({ name }, value);
    },
  });
  void gauge;
  return { contentType: registry.contentType, render: () => registry.metrics(), registry };
}
