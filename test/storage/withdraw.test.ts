/**
 * LogHandle.withdraw and held commits (storage/held-commits.ts): a record settled by its reader before it was
 * written is never written, its offset stays a gap, and an append whose records were all withdrawn resolves
 * without a write. Real SQLite files; what reaches the disk is checked by reopening the store.
 */
import type { SqliteLogStore, SqliteStoreOptions } from '../../storage/sqlite-store';
import type { SqliteLog } from '../../storage/sqlite-log';
import type { LogHandle } from '../../storage/types';
import { logValues as values, readerKeepsUp, useSqliteStores } from './helpers';
import { rec } from './log-store-suite';

describe('withdrawing records before they are written', () => {
  const fx = useSqliteStores();
  const openStore = (overrides: Partial<SqliteStoreOptions> = {}): Promise<SqliteLogStore> => fx.open(overrides);

  async function reopen(store: SqliteLogStore): Promise<SqliteLogStore> {
    await store.close();
    return openStore();
  }

  test.each(['worker', 'main'] as const)('writer %s: a record withdrawn in the turn it was appended is never written; the rest are', async (writer) => {
    let store = await openStore({ writer });
    const log = store.log('q');
    const { baseOffset, durable } = log.append([rec('a'), rec('b'), rec('c'), rec('d')]);
    expect(baseOffset).toBe(0);
    expect(log.withdraw?.(1)).toBe(true);
    expect(log.withdraw?.(1)).toBe(false); // once
    expect(log.withdraw?.(3)).toBe(true);
    await durable;
    expect(store.stats().recordsWithdrawn).toBe(2);
    expect(log.committedOffset()).toBe(4);
    expect(values(log)).toEqual([[0, 'a'], [2, 'c']]);
    expect(log.withdraw?.(0)).toBe(false); // written already
    store = await reopen(store);
    expect(values(store.log('q'))).toEqual([[0, 'a'], [2, 'c']]);
  });

  test('a log whose reader settles before commit is held: all withdrawn resolves with nothing written', async () => {
    let store = await openStore();
    const log = store.log('q');
    log.append([rec('first')]);
    log.withdraw?.(0); // the reader keeps up with the disk: later appends are held
    await store.flush();
    const held = log.append([rec('x'), rec('y')]);
    expect(held.baseOffset).toBe(1);
    let resolved = false;
    void held.durable.then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);
    expect(log.withdraw?.(1)).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false); // 'y' still counts
    expect(log.withdraw?.(2)).toBe(true);
    await held.durable;
    expect(log.committedOffset()).toBe(3);
    expect(log.nextOffset()).toBe(3);
    const after = log.append([rec('z')]);
    expect(after.baseOffset).toBe(3);
    await store.flush();
    await after.durable;
    expect(values(log)).toEqual([[3, 'z']]);
    store = await reopen(store);
    expect(values(store.log('q'))).toEqual([[3, 'z']]);
  });

  test('held records nobody withdraws are written after a short wait, in offset order with the withdrawn ones as gaps', async () => {
    let store = await openStore();
    const log = store.log('q');
    await readerKeepsUp(store, log.name);
    const a = log.append([rec('a1'), rec('a2'), rec('a3')]);
    log.withdraw?.(2);
    await a.durable; // nobody takes a1 and a3: the held wait ends and they are written
    expect(values(log)).toEqual([[1, 'a1'], [3, 'a3']]);
    store = await reopen(store);
    const again = store.log('q');
    expect(values(again)).toEqual([[1, 'a1'], [3, 'a3']]);
    expect(again.nextOffset()).toBe(4);
  });

  test('appends of different logs held in one turn settle separately: one slow reader does not hold up the other log', async () => {
    const store = await openStore();
    const fast = store.log('fast');
    const slow = store.log('slow');
    await readerKeepsUp(store, 'fast', 'slow');
    const f = fast.append([rec('f')]);
    const s = slow.append([rec('s')]);
    let slowDone = false;
    void s.durable.then(() => (slowDone = true));
    expect(fast.withdraw?.(f.baseOffset)).toBe(true);
    await f.durable;
    expect(slowDone).toBe(false);
    await s.durable;
    expect(values(slow)).toEqual([[1, 's']]);
    expect(values(fast)).toEqual([]);
  });

  test('a log that is read but never settled before commit is not held', async () => {
    const store = await openStore();
    const log = store.log('q');
    await readerKeepsUp(store, log.name);
    const held = log.append([rec('h')]);
    expect((log as SqliteLog).held).toBe(true);
    await held.durable; // released after the wait, nothing withdrawn: holding this log stops
    const plain = log.append([rec('n')]);
    expect((log as SqliteLog).held).toBe(false);
    await plain.durable;
    expect(values(log).map(([, v]) => v)).toEqual(['h', 'n']);
    // A reader that settles before commit again turns holding back on.
    const next = log.append([rec('w')]);
    expect(log.withdraw?.(next.baseOffset)).toBe(true);
    await next.durable;
    log.append([rec('held again')]);
    expect((log as SqliteLog).held).toBe(true);
    await store.flush();
  });

  test('flush and close write what is held; deleting a held log settles its appends', async () => {
    let store = await openStore();
    const kept = store.log('kept');
    const gone = store.log('gone');
    await readerKeepsUp(store, 'kept', 'gone');
    const k = kept.append([rec('k')]);
    const g = gone.append([rec('g')]);
    store.deleteLog('gone');
    await g.durable;
    await store.flush();
    await k.durable;
    const late = kept.append([rec('late')]);
    store = await reopen(store);
    await late.durable;
    expect(values(store.log('kept'))).toEqual([[1, 'k'], [2, 'late']]);
    expect(store.hasLog('gone')).toBe(false);
  });

  test('many turns of held appends, each half withdrawn: the survivors are exactly the ones not withdrawn', async () => {
    let store = await openStore();
    const log = store.log('q');
    await readerKeepsUp(store, log.name);
    const expected: Array<[number, string]> = [];
    const waits: Promise<void>[] = [];
    for (let turn = 0; turn < 50; turn++) {
      for (let i = 0; i < 20; i++) {
        const { baseOffset, durable } = log.append([rec(`t${turn}-${i}`)]);
        waits.push(durable);
        if ((i + turn) % 2 === 0) expect(log.withdraw?.(baseOffset)).toBe(true);
        else expected.push([baseOffset, `t${turn}-${i}`]);
      }
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(waits);
    expect(values(log)).toEqual(expected);
    store = await reopen(store);
    expect(values(store.log('q'))).toEqual(expected);
  });
});
