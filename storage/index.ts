export * from './types';
export { MemoryLogStore } from './memory-store';
export { MemoryMetaStore } from './memory-meta-store';
export { SqliteLogStore, type SqliteStoreOptions } from './sqlite-store';
export { SqliteMetaStore } from './sqlite-meta-store';
export type { JournalMode } from './sqlite-pragmas';
