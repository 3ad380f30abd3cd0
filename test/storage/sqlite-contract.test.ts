import { SqliteLogStore } from '../../storage/sqlite-store';
import { describeLogStore } from './log-store-suite';
import { sqliteOptions } from './helpers';

describeLogStore('SqliteLogStore (WAL segments, FULL, written by a worker thread: the default)', {
  make: (dir) => new SqliteLogStore(sqliteOptions(dir)),
  persistent: true,
});
describeLogStore('SqliteLogStore (WAL segments, FULL, written on the main thread with asynchronous fsync)', {
  make: (dir) => new SqliteLogStore({ ...sqliteOptions(dir), writer: 'main' }),
  persistent: true,
});
describeLogStore('SqliteLogStore (segments with a persisted rollback journal, FULL)', {
  make: (dir) => new SqliteLogStore({ ...sqliteOptions(dir), segmentJournalMode: 'persist' }),
  persistent: true,
});
describeLogStore('SqliteLogStore (WAL segments, synchronous=NORMAL)', {
  make: (dir) => new SqliteLogStore(sqliteOptions(dir, { synchronous: 'normal' })),
  persistent: true,
});
