/**
 * Model-based test: random operations (appends to several logs, truncations, out-of-order deletes, retention by count,
 * log deletion,
 * maintenance = reclamation + compaction, reopen) on SqliteLogStore, with MemoryLogStore as the oracle. Small
 * segments so that sealing, reclamation and compaction happen often. Seeded: a failure names its seed.
 */
import fs from 'node:fs';
import { MemoryLogStore } from '../../storage/memory-store';
import { SqliteLogStore } from '../../storage/sqlite-store';
import type { LogStore } from '../../storage/types';
import { sqliteOptions } from './helpers';
import { tempDir } from './log-store-suite';
import { mulberry32 as prng } from '../helpers/prng';

const LOGS = ['a', 'b', 'c'];
const OPS = 300;

async function runModel(seed: number): Promise<void> {
  const rnd = prng(seed);
  const dir = tempDir();
  const make = (): SqliteLogStore => new SqliteLogStore(sqliteOptions(dir, { synchronous: 'normal', segmentSizeMaxBytes: 48 * 1024 }));
  let real = make();
  await real.open();
  const model: LogStore = new MemoryLogStore();
  await model.open();
  const deleted = new Map<string, Set<number>>(LOGS.map((n) => [n, new Set()]));
  try {
    for (let op = 0; op < OPS; op++) {
      const name = LOGS[Math.floor(rnd() * LOGS.length)];
      const r = rnd();
      const lr = real.log(name);
      const lm = model.log(name);
      if (r < 0.55) {
        const n = 1 + Math.floor(rnd() * 20);
        const recs = Array.from({ length: n }, (_, i) => ({
          key: rnd() < 0.5 ? null : Buffer.from(`k${op}`),
          headers: null,
          value: Buffer.from(`${name}/${op}/${i}/` + 'p'.repeat(Math.floor(rnd() * 600))),
          timestamp: 1_000_000 + op,
        }));
        const a = lr.append(recs);
        const b = lm.append(recs);
        expect(a.baseOffset).toBe(b.baseOffset);
        if (rnd() < 0.7) await Promise.all([a.durable, b.durable]);
      } else if (r < 0.7) {
        const to = lm.startOffset() + Math.floor(rnd() * (lm.committedOffset() - lm.startOffset() + 1) * 0.6);
        lr.truncateBefore(to);
        lm.truncateBefore(to);
      } else if (r < 0.8) {
        const span = lm.committedOffset() - lm.startOffset();
        if (span > 0) {
          const offs = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => lm.startOffset() + Math.floor(rnd() * span));
          lr.markDeleted(offs);
          for (const o of offs) deleted.get(name)?.add(o);
        }
      } else if (r < 0.9) {
        await real.flush();
        real.runMaintenance();
      } else if (r < 0.94) {
        const policy = rnd() < 0.3 ? {} : { maxRecords: 5 + Math.floor(rnd() * 100) };
        lr.setRetention(policy);
        lm.setRetention(policy);
      } else if (r < 0.96) {
        real.deleteLog(name);
        model.deleteLog(name);
        deleted.set(name, new Set());
      } else {
        await real.close();
        // markDeleted is a hint kept in memory: after a reopen those records are live again unless compacted away.
        real = make();
        await real.open();
      }
      await Promise.all([real.flush(), model.flush()]);
      for (const n of LOGS) {
        if (!model.hasLog(n)) continue;
        const x = real.log(n);
        const y = model.log(n);
        expect([x.startOffset(), x.nextOffset(), x.committedOffset()]).toEqual([y.startOffset(), y.nextOffset(), y.committedOffset()]);
        const gotReal = x.read(0, 100_000, 1 << 30);
        const gotModel = y.read(0, 100_000, 1 << 30);
        const byOffset = new Map(gotModel.map((m) => [m.offset, m]));
        // Everything the store returns is right; it may have dropped only markDeleted records. (Plain loops:
        // one expect per record made this test slow.)
        const wrong: number[] = [];
        for (const g of gotReal) {
          const m = byOffset.get(g.offset);
          const sameKey = (g.key === null && m?.key === null) || (g.key !== null && m?.key != null && g.key.equals(m.key));
          if (m === undefined || !g.value.equals(m.value) || !sameKey) wrong.push(g.offset);
        }
        const present = new Set(gotReal.map((g) => g.offset));
        const missing = gotModel.filter((m) => !present.has(m.offset) && deleted.get(n)?.has(m.offset) !== true).map((m) => m.offset);
        expect({ log: n, op, wrong, missing }).toEqual({ log: n, op, wrong: [], missing: [] });
      }
    }
  } catch (err) {
    throw new Error(`model test failed with seed ${seed}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await real.close();
    await model.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('SqliteLogStore against the in-memory model', () => {
  // POLYMQ_STORAGE_MODEL_SEEDS=n adds n random seeds for a longer local stress run.
  const extra = Number(process.env.POLYMQ_STORAGE_MODEL_SEEDS ?? '0');
  const seeds = [1, 2, 3, 4, 5, ...Array.from({ length: 1 + extra }, () => Math.floor(Math.random() * 1e9))];
  test.each(seeds)('random operations, seed %i', async (seed) => {
    await runModel(seed);
  });
});
