import fs from 'node:fs';
import path from 'node:path';
import { MemoryMetaStore } from '../../storage/memory-meta-store';
import { SqliteMetaStore } from '../../storage/sqlite-meta-store';
import type { MetaStore } from '../../storage/types';
import { tempDir } from './log-store-suite';

interface MetaFactory {
  make(dir: string): MetaStore;
  persistent: boolean;
}

function describeMetaStore(name: string, factory: MetaFactory): void {
  describe(`MetaStore contract: ${name}`, () => {
    let dir: string;
    let store: MetaStore;
    beforeEach(() => {
      dir = tempDir();
      store = factory.make(dir);
    });
    afterEach(async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('put/get/list/delete, namespaces apart, values are copies', async () => {
      await store.put('queues', 'b', { durable: true, args: { 'x-max-length': 10 } });
      const p1 = store.put('queues', 'a', { durable: false });
      const p2 = store.put('exchanges', 'a', 'direct');
      expect(store.get('queues', 'a')).toEqual({ durable: false });
      await Promise.all([p1, p2]);
      expect(store.list('queues')).toEqual([
        ['a', { durable: false }],
        ['b', { durable: true, args: { 'x-max-length': 10 } }],
      ]);
      expect(store.get<string>('exchanges', 'a')).toBe('direct');
      const got = store.get<{ durable: boolean }>('queues', 'b');
      if (got !== undefined) got.durable = false;
      expect(store.get('queues', 'b')).toEqual({ durable: true, args: { 'x-max-length': 10 } });
      await store.delete('queues', 'a');
      expect(store.get('queues', 'a')).toBeUndefined();
      expect(store.list('queues').map(([k]) => k)).toEqual(['b']);
      expect(store.list('nothing')).toEqual([]);
    });

    if (factory.persistent) {
      test('reopen sees every committed write, the last write of a key wins', async () => {
        const writes: Promise<void>[] = [];
        for (let i = 0; i < 500; i++) writes.push(store.put('offsets', `g${i % 50}`, i));
        writes.push(store.delete('offsets', 'g0'));
        await Promise.all(writes);
        await store.close();
        store = factory.make(dir);
        expect(store.list('offsets')).toHaveLength(49);
        expect(store.get('offsets', 'g7')).toBe(457);
        expect(store.get('offsets', 'g0')).toBeUndefined();
      });
    }
  });
}

describe('SqliteMetaStore failures', () => {
  test('a failed commit rejects with STORAGE_FULL and memory returns to what the database holds', async () => {
    const dir = tempDir();
    const store = SqliteMetaStore.open(path.join(dir, 'meta.sqlite'), 'full');
    try {
      await store.put('q', 'kept', 1);
      store.failNextCommit = true;
      const a = store.put('q', 'kept', 2);
      const b = store.put('q', 'new', 3);
      const c = store.delete('q', 'kept');
      for (const p of [a, b, c]) await expect(p).rejects.toMatchObject({ code: 'STORAGE_FULL' });
      expect(store.list('q')).toEqual([['kept', 1]]);
      await store.put('q', 'after', 4);
      expect(store.list('q')).toEqual([
        ['after', 4],
        ['kept', 1],
      ]);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeMetaStore('MemoryMetaStore', { make: () => new MemoryMetaStore(), persistent: false });
describeMetaStore('SqliteMetaStore', { make: (dir) => SqliteMetaStore.open(path.join(dir, 'meta.sqlite'), 'full'), persistent: true });
