import { SqliteLogStore } from '../../storage/sqlite-store';
import { describeLogStore } from './log-store-suite';
import { sqliteOptions } from './helpers';

describeLogStore('SqliteLogStore (WAL segments, FULL through asynchronous fsync: the default)', {
  make: (dir) => new SqliteLogStore(sqliteOptions(dir)),
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
