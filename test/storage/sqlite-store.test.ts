import { fork } from 'node:child_process';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { BrokerError } from '../../src/core/errors';
import { SqliteLogStore, type SqliteStoreOptions } from '../../storage/sqlite-store';
import { valueFor } from './crash-child';
import { expectAckedRecordsIntact, killAfterAcks } from './crash-harness';
import { openFdCount, sqliteOptions } from './helpers';
import { rec, tempDir } from './log-store-suite';

function segmentFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => /^seg-\d+\.sqlite$/.test(f)).sort();
}

async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<BrokerError> {
  try {
    if (typeof p === 'function') p();
    else await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BrokerError);
    expect((err as BrokerError).code).toBe(code);
    return err as BrokerError;
  }
  throw new Error(`expected ${code}`);
}

describe('SqliteLogStore specifics', () => {
  let dir: string;
  const stores: SqliteLogStore[] = [];

  async function openStore(overrides: Partial<SqliteStoreOptions> = {}): Promise<SqliteLogStore> {
    const s = new SqliteLogStore({ ...sqliteOptions(dir), ...overrides });
    stores.push(s);
    await s.open();
    return s;
  }

  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('10,000 logs share a few files: open descriptors stay small', async () => {
    const store = await openStore();
    const before = openFdCount();
    for (let i = 0; i < 10_000; i++) store.log(`queue-${i}`).append([rec(`m${i}`)]);
    await store.flush();
    for (let i = 0; i < 10_000; i += 997) expect(store.log(`queue-${i}`).read(0, 10, 1000)[0].value.toString()).toBe(`m${i}`);
    expect(openFdCount() - before).toBeLessThan(20);
    expect(store.stats().logs).toBe(10_000);
    await store.close();
    const again = await openStore();
    expect(again.listLogs()).toHaveLength(10_000);
    expect(again.log('queue-9999').read(0, 1, 100)[0].value.toString()).toBe('m9999');
  });

  test('only a bounded number of sealed segments keep their files open; the others reopen when read', async () => {
    const store = await openStore({ synchronous: 'normal', sealedSegmentsOpenMax: 2 });
    const fdsBefore = openFdCount();
    const log = store.log('q');
    for (let i = 0; i < 60; i++) await log.append([{ key: null, headers: null, value: Buffer.from(`${i}:` + 'v'.repeat(8000)) }]).durable;
    expect(segmentFiles(dir).length).toBeGreaterThan(6);
    const got = log.read(0, 100, 1 << 30);
    expect(got.map((r) => r.value.toString().split(':')[0])).toEqual(Array.from({ length: 60 }, (_, i) => String(i)));
    expect(openFdCount() - fdsBefore).toBeLessThanOrEqual(3 * 2 + 2);
    await store.close();
    const again = await openStore({ sealedSegmentsOpenMax: 2 });
    expect(again.log('q').read(0, 100, 1 << 30)).toHaveLength(60);
  });

  test('segments seal at segmentSizeMaxBytes and are reclaimed whole once nothing in them is live', async () => {
    const store = await openStore({ synchronous: 'normal' });
    const log = store.log('q');
    const value = Buffer.alloc(2000, 1);
    for (let i = 0; i < 100; i++) await log.append([{ key: null, headers: null, value }]).durable;
    const sealed = segmentFiles(dir).length;
    expect(sealed).toBeGreaterThan(2);
    log.truncateBefore(100);
    store.runMaintenance();
    expect(segmentFiles(dir).length).toBe(1);
    await store.close();
    // Every segment holding the log is gone now; offsets still come back exactly from the catalog.
    const again = await openStore();
    const log2 = again.log('q');
    expect(log2.startOffset()).toBe(100);
    expect(log2.nextOffset()).toBe(100);
    expect((await log2.append([rec('after')])).baseOffset).toBe(100);
  });

  test('a segment pinned by a slow log is compacted: live records kept at their offsets, the rest dropped', async () => {
    const store = await openStore({ synchronous: 'normal' });
    const slow = store.log('slow');
    const fast = store.log('fast');
    const value = Buffer.alloc(1000, 2);
    await slow.append([rec('pinned-0'), rec('pinned-1'), rec('acked-out-of-order')]).durable;
    for (let i = 0; i < 200; i++) await fast.append([{ key: null, headers: null, value }]).durable;
    slow.markDeleted([2]);
    fast.truncateBefore(200);
    const firstFile = path.join(dir, segmentFiles(dir)[0]);
    const sizeBefore = fs.statSync(firstFile).size;
    const segmentsBefore = store.stats().segments;
    for (let i = 0; i < 3; i++) store.runMaintenance();
    expect(fs.statSync(firstFile).size).toBeLessThan(sizeBefore);
    expect(store.stats().segments).toBeLessThan(segmentsBefore);
    expect(slow.read(0, 10, 1 << 20).map((r) => [r.offset, r.value.toString()])).toEqual([
      [0, 'pinned-0'],
      [1, 'pinned-1'],
    ]);
    await store.close();
    const again = await openStore();
    expect(again.log('slow').read(0, 10, 1 << 20).map((r) => r.offset)).toEqual([0, 1]);
    expect(again.log('slow').nextOffset()).toBe(3);
    expect(again.log('fast').nextOffset()).toBe(200);
  });

  test('a damaged segment fails open() with STORAGE_CORRUPT naming the file, or is quarantined', async () => {
    const store = await openStore();
    for (let i = 0; i < 60; i++) await store.log('q').append([{ key: null, headers: null, value: Buffer.alloc(2000, 3) }]).durable;
    await store.close();
    const [first, second] = segmentFiles(dir).map((f) => path.join(dir, f));
    // A batch whose bytes changed behind SQLite's back: only the batch checksum can notice.
    const db = new Database(first);
    db.prepare('UPDATE batches SET data = ? WHERE rowid = 3').run(Buffer.alloc(2024, 0x5a));
    db.close();
    const err = await expectCode(new SqliteLogStore(sqliteOptions(dir)).open(), 'STORAGE_CORRUPT');
    expect(err.message).toContain(path.basename(first));
    // A file that is not a database any more.
    const fd = fs.openSync(second, 'r+');
    fs.writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, 0);
    fs.closeSync(fd);
    const quarantined = await openStore({ quarantineCorrupt: true });
    expect(fs.readdirSync(path.join(dir, 'quarantine')).filter((f) => f.endsWith('.sqlite'))).toEqual([
      path.basename(first),
      path.basename(second),
    ]);
    expect(quarantined.log('q').nextOffset()).toBe(60);
    expect(quarantined.log('q').read(0, 100, 1 << 30)).toEqual([]);
    expect((await quarantined.log('q').append([rec('after')])).baseOffset).toBe(60);
  });

  test('a checksum mismatch on read throws STORAGE_CORRUPT naming the file', async () => {
    const store = await openStore();
    const log = store.log('q');
    const marker = Buffer.from('MARKER-' + 'm'.repeat(3000));
    await log.append([{ key: null, headers: null, value: marker }]).durable;
    for (let i = 0; i < 40; i++) await log.append([{ key: null, headers: null, value: Buffer.alloc(2000, 4) }]).durable;
    const first = path.join(dir, segmentFiles(dir)[0]);
    // The first segment is sealed (checkpointed into the file, page cache released): flip a byte of the record
    // everywhere it occurs (b-tree splits leave stale copies behind).
    const bytes = fs.readFileSync(first);
    const fd = fs.openSync(first, 'r+');
    let flipped = 0;
    for (let at = bytes.indexOf('MARKER-'); at >= 0; at = bytes.indexOf('MARKER-', at + 1), flipped++) fs.writeSync(fd, Buffer.from('N'), 0, 1, at);
    fs.closeSync(fd);
    expect(flipped).toBeGreaterThan(0);
    const err = await expectCode(() => log.read(0, 1, 1 << 20), 'STORAGE_CORRUPT');
    expect(err.message).toContain(path.basename(first));
    expect(log.read(1, 1, 1 << 20)[0].offset).toBe(1);
  });

  test('groupCommitBytesMax bounds the append buffer: a full buffer is written at once, offsets stay dense', async () => {
    const store = await openStore({ groupCommitBytesMax: 64 * 1024, segmentSizeMaxBytes: 64 * 1024 * 1024 });
    const log = store.log('q');
    const value = Buffer.alloc(1000, 6);
    const before = store.stats().commits;
    const waits: Promise<void>[] = [];
    // All in one tick: without the bound this would be one commit of ~1 MB.
    for (let i = 0; i < 1000; i++) waits.push(log.append([{ key: null, headers: null, value }]).durable);
    expect(store.stats().commits - before).toBeGreaterThanOrEqual(10);
    await Promise.all(waits);
    const got = log.read(0, 2000, 1 << 30);
    expect(got).toHaveLength(1000);
    got.forEach((r, i) => expect(r.offset).toBe(i));
  });

  test('a full disk rejects durable with STORAGE_FULL, keeps the process up, and offsets stay dense', async () => {
    const store = await openStore({ segmentSizeMaxBytes: 64 * 1024 * 1024 });
    const log = store.log('q');
    await log.append([rec('before')]).durable;
    store.limitActiveSegmentPages(1);
    const failed = log.append([{ key: null, headers: null, value: Buffer.alloc(500_000, 5) }]);
    await expectCode(failed.durable, 'STORAGE_FULL');
    expect(store.isFull()).toBe(true);
    expect(log.nextOffset()).toBe(1);
    // An ignored durable promise of a failed commit does not become an unhandled rejection.
    log.append([{ key: null, headers: null, value: Buffer.alloc(500_000, 5) }]);
    await expectCode(store.flush(), 'STORAGE_FULL');
    store.limitActiveSegmentPages(1_000_000);
    const ok = log.append([rec('after')]);
    expect(ok.baseOffset).toBe(1);
    await ok.durable;
    expect(store.isFull()).toBe(false);
    expect(log.read(0, 10, 1 << 20).map((r) => r.value.toString())).toEqual(['before', 'after']);
  });

  const crashModes = [
    ['persist', 'main'],
    ['wal', 'worker'],
    ['wal', 'main'],
  ] as const;

  test('segments are written by a worker thread by default; a rollback journal writes on the main thread', async () => {
    expect((await openStore()).writerThread()).toBe('worker');
    expect(new SqliteLogStore({ ...sqliteOptions(dir), segmentJournalMode: 'persist', writer: 'worker' }).writerThread()).toBe('main');
    expect(new SqliteLogStore({ ...sqliteOptions(dir), writer: 'main' }).writerThread()).toBe('main');
  });

  test.each(['worker', 'main'] as const)(
    'writer %s: a failed commit fails every commit after it, offsets roll back and stay dense',
    async (writer) => {
      // Small groups: one tick issues many commits, all in flight to the worker when the first fails.
      const store = await openStore({ writer, segmentSizeMaxBytes: 64 * 1024 * 1024, groupCommitBytesMax: 64 * 1024 });
      const log = store.log('q');
      const other = store.log('r');
      await Promise.all([log.append([rec('before')]).durable, other.append([rec('other')]).durable]);
      store.limitActiveSegmentPages(1);
      const value = Buffer.alloc(100_000, 7);
      const results = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? log : other).append([{ key: null, headers: null, value }]));
      const settled = await Promise.allSettled(results.map((r) => r.durable));
      for (const s of settled) {
        expect(s.status).toBe('rejected');
        if (s.status === 'rejected') expect((s.reason as BrokerError).code).toBe('STORAGE_FULL');
      }
      expect(store.isFull()).toBe(true);
      expect([log.nextOffset(), other.nextOffset()]).toEqual([1, 1]);
      store.limitActiveSegmentPages(1_000_000);
      const ok = [log.append([rec('after')]), other.append([rec('after-r')])];
      expect(ok.map((r) => r.baseOffset)).toEqual([1, 1]);
      await Promise.all(ok.map((r) => r.durable));
      expect(store.isFull()).toBe(false);
      expect(log.read(0, 10, 1 << 20).map((r) => r.value.toString())).toEqual(['before', 'after']);
      expect(other.read(0, 10, 1 << 20).map((r) => r.value.toString())).toEqual(['other', 'after-r']);
      await store.close();
      const again = await openStore({ writer });
      expect(again.log('q').read(0, 10, 1 << 20).map((r) => r.value.toString())).toEqual(['before', 'after']);
    },
  );

  test.each(['worker', 'main'] as const)('writer %s: an idle store does not keep the process alive, a commit in flight does', async (writer) => {
    const child = fork(path.join(__dirname, 'crash-child.js'), ['idle-exit', dir, 'wal', writer], { stdio: 'ignore' });
    let durable = 0;
    child.on('message', (m: { durable: number }) => (durable = m.durable));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(durable).toBe(2);
    const store = await openStore({ writer });
    expect(store.log('alpha').read(0, 10, 1 << 20).map((r) => r.value.toString())).toEqual([valueFor('alpha', 0), valueFor('alpha', 1)]);
  });

  test.each(crashModes)('killed inside a commit transaction (%s, writer %s): recovery has exactly the earlier commits', async (journal, writer) => {
    const child = fork(path.join(__dirname, 'crash-child.js'), ['mid-commit', dir, journal, writer], { stdio: 'ignore' });
    let committed = -1;
    child.on('message', (m: { committed: number }) => (committed = m.committed));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    expect(committed).toBe(30);
    const store = await openStore({ segmentJournalMode: journal });
    const log = store.log('alpha');
    expect(log.nextOffset()).toBe(30);
    const got = log.read(0, 1000, 1 << 30);
    expect(got.map((r) => r.value.toString())).toEqual(Array.from({ length: 30 }, (_, i) => valueFor('alpha', i)));
  });

  test.each(crashModes)('kill -9 at a random moment (%s, writer %s): every acknowledged record is readable exactly once with its content', async (journal, writer) => {
    const killAfter = 50 + Math.floor(Math.random() * 600);
    const { acked, acks } = await killAfterAcks(['ack', dir, journal, writer], killAfter);
    expect(acks).toBeGreaterThanOrEqual(killAfter);
    const store = await openStore({ segmentJournalMode: journal });
    expectAckedRecordsIntact(store, acked);
  });
});
