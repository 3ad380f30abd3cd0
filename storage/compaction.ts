/**
 * Compaction of a sealed segment: its live records (at or above each log's start offset and not markDeleted)
 * are written into a fresh file, which then atomically replaces the segment (rename). Offsets are kept: a batch
 * keeps its base offset and its surviving records keep their offset deltas, so each log's segments stay in
 * offset order and readers never notice. A crash before the rename leaves a *.compact file that open() deletes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { childLogger } from '../src/core/logger';
import { recordIndex, RECORD_HEADER_BYTES } from './batch-codec';
import { fsyncDir } from './fsync-dir';
import { corrupt, Segment, type SegmentPool } from './segment';
import { SIDE_FILE_SUFFIXES } from './sqlite-pragmas';
import type { SqliteLog } from './sqlite-log';

export function compactSegment(seg: Segment, logsById: ReadonlyMap<number, SqliteLog>, synchronous: 'full' | 'normal', pool: SegmentPool): void {
  const removeSideFiles = (file: string): void => {
    for (const suffix of SIDE_FILE_SUFFIXES) fs.rmSync(file + suffix, { force: true });
  };
  const tmpFile = seg.file + '.compact';
  fs.rmSync(tmpFile, { force: true });
  removeSideFiles(tmpFile);
  const out = Segment.open(seg.seq, tmpFile, synchronous, seg.journal, pool, seg.locking);
  let before = 0;
  let kept = 0;
  try {
    out.transaction(() => {
      for (const [id, range] of seg.ranges) {
        before += range.records;
        const log = logsById.get(id);
        if (log === undefined || range.end <= log.start) continue;
        for (const { base, data } of seg.liveBatches(id, log.start)) kept += copyLive(out, log, base, data, seg.file);
      }
    });
    out.checkpoint('TRUNCATE');
  } finally {
    out.close();
  }
  seg.checkpoint('TRUNCATE');
  seg.close();
  removeSideFiles(tmpFile);
  // Both files were closed cleanly, so no journal beside them is hot; the old one must not meet the new file.
  removeSideFiles(seg.file);
  fs.renameSync(tmpFile, seg.file);
  fsyncDir(path.dirname(seg.file));
  seg.reopen();
  seg.verifyAndIndex();
  for (const log of logsById.values()) {
    const i = log.segments.indexOf(seg);
    if (i >= 0 && !seg.ranges.has(log.id)) log.segments.splice(i, 1);
  }
  childLogger('storage').info({ file: seg.file, recordsBefore: before, recordsKept: kept }, 'segment compacted');
}

/** Inserts the live part of one batch into `out`; returns how many records it kept. */
function copyLive(out: Segment, log: SqliteLog, base: number, data: Buffer, file: string): number {
  const parts: Buffer[] = [];
  let count = 0;
  let payload = 0;
  let maxTs = -Infinity;
  let last = base;
  try {
    for (const r of recordIndex(data, base)) {
      if (r.offset < log.start || log.deletedOffsets.has(r.offset)) continue;
      parts.push(data.subarray(r.start, r.end));
      count++;
      payload += r.end - r.start - RECORD_HEADER_BYTES;
      if (r.timestamp > maxTs) maxTs = r.timestamp;
      last = r.offset;
    }
  } catch (err) {
    throw corrupt(file, err);
  }
  if (count === 0) return 0;
  out.insert(log.id, base, last, count, payload, Math.ceil(maxTs), parts.length === 1 ? parts[0] : Buffer.concat(parts));
  return count;
}
