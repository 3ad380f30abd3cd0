/**
 * Probe for "does the commit belong on a worker thread?": the same load as the storage bench's 1 KiB scenario
 * (64 logs × 64 records per turn), encoded on the main thread with the store's own batch codec, committed by a
 * worker thread (WAL, synchronous=FULL there), at most two commits in flight. Reports throughput and the main
 * thread's event-loop stalls, to hold against SqliteLogStore's figures from the same run. Not a store: no reads,
 * no recovery; it only measures what moving the commit would buy.
 */
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { encodeBatch, encodedSize } from '../../storage/batch-codec';
import type { AppendRecord } from '../../storage/types';

export interface ProbeResult {
  recordsPerSec: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

const COMMITS_IN_FLIGHT_MAX = 2;

export async function runWorkerCommitProbe(dir: string, total: number, logCount = 64, perLog = 64, recordBytes = 1024): Promise<ProbeResult> {
  const worker = new Worker(path.join(__dirname, 'storage-worker-probe-worker.js'), { workerData: { file: path.join(dir, 'probe.sqlite') } });
  const waiting = new Map<number, () => void>();
  worker.on('message', (m: number | string) => {
    if (typeof m === 'number') {
      waiting.get(m)?.();
      waiting.delete(m);
    }
  });
  const value = Buffer.alloc(recordBytes, 0x61);
  const records: AppendRecord[] = Array.from({ length: perLog }, () => ({ key: null, headers: null, value }));
  const times: number[] = records.map(() => Date.now());
  const bytes = records.reduce((n, r) => n + encodedSize(r), 0);
  const next = new Array<number>(logCount).fill(0);
  const inFlight: Promise<void>[] = [];
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const start = process.hrtime.bigint();
  let id = 0;
  let appended = 0;
  while (appended < total) {
    const rows: Array<{ logId: number; base: number; count: number; blob: ArrayBuffer }> = [];
    const transfer: ArrayBuffer[] = [];
    for (let l = 0; l < logCount; l++) {
      const encoded = encodeBatch(records, times, 0, perLog, bytes);
      // A blob of its own ArrayBuffer (not the pool's) can be transferred without a copy.
      const own = new ArrayBuffer(encoded.length);
      encoded.copy(Buffer.from(own));
      rows.push({ logId: l, base: next[l], count: perLog, blob: own });
      transfer.push(own);
      next[l] += perLog;
      appended += perLog;
    }
    const commitId = ++id;
    inFlight.push(new Promise<void>((resolve) => waiting.set(commitId, resolve)));
    worker.postMessage({ id: commitId, rows }, transfer);
    await new Promise((r) => setImmediate(r));
    if (inFlight.length >= COMMITS_IN_FLIGHT_MAX) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  loop.disable();
  await new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.postMessage('close');
  });
  await worker.terminate();
  return { recordsPerSec: total / seconds, loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6 };
}
