/**
 * In-memory MetaStore for tests. Values are stored as JSON text so callers get copies, exactly as with the
 * SQLite store (mutating a returned object never changes what is stored). put/delete resolve on the next tick.
 */
import { listSpace } from './meta-space';
import type { MetaStore } from './types';

export class MemoryMetaStore implements MetaStore {
  private readonly spaces = new Map<string, Map<string, string>>();

  get<T>(namespace: string, key: string): T | undefined {
    const text = this.spaces.get(namespace)?.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  put(namespace: string, key: string, value: unknown): Promise<void> {
    let space = this.spaces.get(namespace);
    if (space === undefined) {
      space = new Map();
      this.spaces.set(namespace, space);
    }
    space.set(key, JSON.stringify(value));
    return nextTick();
  }

  delete(namespace: string, key: string): Promise<void> {
    this.spaces.get(namespace)?.delete(key);
    return nextTick();
  }

  list<T>(namespace: string): Array<[string, T]> {
    return listSpace<T>(this.spaces.get(namespace));
  }

  async close(): Promise<void> {}
}

function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
