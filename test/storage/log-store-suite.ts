/**
 * The one suite every LogStore backend passes (aedes-persistence's abstract.js habit): MemoryLogStore and
 * SqliteLogStore run the same cases through describeLogStore.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { AppendRecord, LogStore } from '../../storage/types';

export interface StoreFactory {
  /** A store over dataDir (a fresh temp dir per test; the same dir again for reopen cases). */
  make(dataDir: string): LogStore;
  /** Whether a new store over the same dataDir sees what the previous one wrote. */
  persistent: boolean;
}

export function rec(value: string, extra: Partial<AppendRecord> = {}): AppendRecord {
  return { key: null, headers: null, value: Buffer.from(value), ...extra };
}

export function tempDir(): string {
  return fs.mkdtempSync(os.tmpdir() + '/polymq-');
}

export function describeLogStore(name: string, factory: StoreFactory): void {
  describe(`LogStore contract: ${name}`, () => {
    let dir: string;
    let store: LogStore;
    const open: LogStore[] = [];

    async function openStore(): Promise<LogStore> {
      const s = factory.make(dir);
      await s.open();
      open.push(s);
      return s;
    }

    beforeEach(async () => {
      dir = tempDir();
      store = await openStore();
    });

    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('append then read returns the records with dense offsets from 0', async () => {
      const log = store.log('a');
      const r1 = log.append([
        rec('v0', { key: Buffer.from('k0'), headers: Buffer.from('h0'), timestamp: 1234 }),
        rec('v1', { key: Buffer.alloc(0) }),
      ]);
      const r2 = log.append([rec('v2')]);
      expect(r1.baseOffset).toBe(0);
      expect(r2.baseOffset).toBe(2);
      expect(log.nextOffset()).toBe(3);
      await Promise.all([r1.durable, r2.durable]);
      expect(log.committedOffset()).toBe(3);
      const got = log.read(0, 100, 1 << 20);
      expect(got.map((r) => r.offset)).toEqual([0, 1, 2]);
      expect(got.map((r) => r.value.toString())).toEqual(['v0', 'v1', 'v2']);
      expect(got[0].key?.toString()).toBe('k0');
      expect(got[0].headers?.toString()).toBe('h0');
      expect(got[0].timestamp).toBe(1234);
      expect(got[1].key?.length).toBe(0);
      expect(got[1].headers).toBeNull();
      expect(got[2].key).toBeNull();
      expect(typeof got[2].timestamp).toBe('number');
    });

    test('readers see only committed records', async () => {
      const log = store.log('a');
      const { durable } = log.append([rec('x')]);
      expect(log.committedOffset()).toBe(0);
      expect(log.read(0, 10, 1000)).toEqual([]);
      await durable;
      expect(log.read(0, 10, 1000)).toHaveLength(1);
    });

    test('offsets stay dense across many appends and logs', async () => {
      const expected = new Map<string, number>();
      const waits: Promise<void>[] = [];
      for (let i = 0; i < 300; i++) {
        const name = `log-${i % 7}`;
        const n = 1 + (i % 4);
        const { baseOffset, durable } = store.log(name).append(Array.from({ length: n }, (_, j) => rec(`${name}:${(expected.get(name) ?? 0) + j}`)));
        expect(baseOffset).toBe(expected.get(name) ?? 0);
        expected.set(name, (expected.get(name) ?? 0) + n);
        waits.push(durable);
        if (i % 50 === 0) await durable;
      }
      await Promise.all(waits);
      for (const [name, count] of expected) {
        const got = store.log(name).read(0, 10_000, 1 << 30);
        expect(got).toHaveLength(count);
        got.forEach((r, i) => {
          expect(r.offset).toBe(i);
          expect(r.value.toString()).toBe(`${name}:${i}`);
        });
      }
    });

    test('read by offset range and maxRecords', async () => {
      const log = store.log('a');
      for (let i = 0; i < 5; i++) await log.append(Array.from({ length: 20 }, (_, j) => rec(String(i * 20 + j)))).durable;
      expect(log.read(37, 5, 1 << 20).map((r) => r.offset)).toEqual([37, 38, 39, 40, 41]);
      expect(log.read(95, 100, 1 << 20).map((r) => r.offset)).toEqual([95, 96, 97, 98, 99]);
      expect(log.read(100, 10, 1 << 20)).toEqual([]);
      expect(log.read(5000, 10, 1 << 20)).toEqual([]);
      expect(log.read(0, 0, 1 << 20)).toEqual([]);
    });

    test('maxBytes limits a read but always returns at least one record', async () => {
      const log = store.log('a');
      await log.append(Array.from({ length: 10 }, () => ({ key: null, headers: null, value: Buffer.alloc(100, 1) }))).durable;
      expect(log.read(0, 100, 250)).toHaveLength(2);
      expect(log.read(0, 100, 1)).toHaveLength(1);
      expect(log.read(3, 100, 1000)).toHaveLength(7);
    });

    test('offsetForTimestamp finds the first record at or after a time', async () => {
      const log = store.log('a');
      await log.append([1000, 2000, 3000, 4000].map((t) => rec(String(t), { timestamp: t }))).durable;
      expect(log.offsetForTimestamp(0)).toBe(0);
      expect(log.offsetForTimestamp(2000)).toBe(1);
      expect(log.offsetForTimestamp(2500)).toBe(2);
      expect(log.offsetForTimestamp(5000)).toBe(log.nextOffset());
    });

    test('truncateBefore moves the start offset; reads are clamped to it', async () => {
      const log = store.log('a');
      await log.append(Array.from({ length: 10 }, (_, i) => rec(String(i)))).durable;
      log.truncateBefore(4);
      expect(log.startOffset()).toBe(4);
      expect(log.read(0, 3, 1 << 20).map((r) => r.offset)).toEqual([4, 5, 6]);
      log.truncateBefore(2);
      expect(log.startOffset()).toBe(4);
      log.truncateBefore(1000);
      expect(log.startOffset()).toBe(10);
      expect(log.read(0, 10, 1 << 20)).toEqual([]);
      const { baseOffset, durable } = log.append([rec('next')]);
      expect(baseOffset).toBe(10);
      await durable;
      expect(log.read(0, 10, 1 << 20).map((r) => r.value.toString())).toEqual(['next']);
    });

    test('retention by record count', async () => {
      const log = store.log('a');
      for (let i = 0; i < 10; i++) await log.append(Array.from({ length: 10 }, (_, j) => rec(String(i * 10 + j)))).durable;
      log.setRetention({ maxRecords: 25 });
      expect(log.startOffset()).toBe(75);
      await log.append([rec('100')]).durable;
      expect(log.startOffset()).toBe(76);
      expect(log.read(0, 1, 1 << 20)[0].value.toString()).toBe('76');
    });

    test('retention by age', async () => {
      const log = store.log('a');
      const old = Date.now() - 3_600_000;
      await log.append(Array.from({ length: 50 }, (_, i) => rec(`old${i}`, { timestamp: old + i }))).durable;
      await log.append(Array.from({ length: 10 }, (_, i) => rec(`new${i}`))).durable;
      log.setRetention({ maxAgeMs: 60_000 });
      expect(log.startOffset()).toBe(50);
      expect(log.read(0, 1, 1 << 20)[0].value.toString()).toBe('new0');
    });

    test('retention by bytes keeps about maxBytes of the newest records', async () => {
      const log = store.log('a');
      const value = Buffer.alloc(1000, 7);
      for (let i = 0; i < 40; i++) await log.append(Array.from({ length: 5 }, () => ({ key: null, headers: null, value }))).durable;
      expect(log.sizeBytes()).toBeGreaterThanOrEqual(200_000);
      log.setRetention({ maxBytes: 20_000 });
      expect(log.startOffset()).toBeGreaterThan(100);
      expect(log.sizeBytes()).toBeLessThan(100_000);
      expect(log.nextOffset() - log.startOffset()).toBeGreaterThanOrEqual(10);
      expect(log.read(199, 1, 1 << 20)).toHaveLength(1);
    });

    test('many logs: create, list, delete', async () => {
      for (let i = 0; i < 200; i++) store.log(`q${i}`).append([rec(`m${i}`)]);
      await store.flush();
      expect(store.listLogs().sort()).toEqual(Array.from({ length: 200 }, (_, i) => `q${i}`).sort());
      expect(store.hasLog('q7')).toBe(true);
      store.deleteLog('q7');
      expect(store.hasLog('q7')).toBe(false);
      expect(store.listLogs()).toHaveLength(199);
      expect(store.log('q8').read(0, 10, 1000)[0].value.toString()).toBe('m8');
      // A re-created log starts empty.
      expect(store.log('q7').nextOffset()).toBe(0);
      expect(store.stats().logs).toBe(200);
      expect(store.stats().recordsAppended).toBeGreaterThanOrEqual(200);
    });

    test('onCommit reports the logs whose committedOffset advanced; flush waits for everything', async () => {
      const seen: string[][] = [];
      store.onCommit((names) => seen.push([...names].sort()));
      store.log('x').append([rec('1')]);
      store.log('y').append([rec('2')]);
      await store.flush();
      expect(seen.flat().sort()).toEqual(['x', 'y']);
      expect(store.log('x').committedOffset()).toBe(1);
      await store.flush();
    });

    test('a listener may append from onCommit (and may throw) without breaking commits', async () => {
      const log = store.log('echo');
      let echoes = 0;
      store.onCommit(() => {
        throw new Error('listener failure is not the store\'s');
      });
      store.onCommit((names) => {
        if (names.includes('echo') && echoes < 5) {
          echoes++;
          log.append([rec(`echo${echoes}`)]);
        }
      });
      await log.append([rec('first')]).durable;
      const deadline = Date.now() + 10_000;
      while (log.committedOffset() < 6 && Date.now() < deadline) await store.flush().then(() => new Promise((r) => setImmediate(r)));
      expect(log.read(0, 100, 1 << 20).map((r) => r.value.toString())).toEqual(['first', 'echo1', 'echo2', 'echo3', 'echo4', 'echo5']);
    });

    if (factory.persistent) {
      test('reopen: records, offsets, start offsets, retention and deletions survive', async () => {
        const a = store.log('a');
        for (let i = 0; i < 3; i++) await a.append(Array.from({ length: 10 }, (_, j) => rec(`a${i * 10 + j}`, { key: Buffer.from('k') }))).durable;
        a.truncateBefore(5);
        a.setRetention({ maxRecords: 1000 });
        await store.log('b').append([rec('b0')]).durable;
        store.log('gone').append([rec('x')]);
        await store.flush();
        store.deleteLog('gone');
        store.log('empty');
        await store.close();
        open.splice(0);

        const again = await openStore();
        expect(again.listLogs().sort()).toEqual(['a', 'b', 'empty']);
        const a2 = again.log('a');
        expect(a2.startOffset()).toBe(5);
        expect(a2.nextOffset()).toBe(30);
        expect(a2.committedOffset()).toBe(30);
        const got = a2.read(0, 100, 1 << 20);
        expect(got.map((r) => r.offset)).toEqual(Array.from({ length: 25 }, (_, i) => i + 5));
        expect(got[0].value.toString()).toBe('a5');
        expect(got[0].key?.toString()).toBe('k');
        expect(again.log('b').read(0, 10, 1000).map((r) => r.value.toString())).toEqual(['b0']);
        expect(again.log('empty').nextOffset()).toBe(0);
        const { baseOffset, durable } = a2.append([rec('a30')]);
        expect(baseOffset).toBe(30);
        await durable;
      });
    }
  });
}
