/**
 * Messages between the store (main thread) and the segment writer worker thread (segment-writer-worker.ts).
 * Commits are numbered 1, 2, 3, … and processed in order; the worker answers every commit exactly once.
 */
import type { MessagePort } from 'node:worker_threads';

/** Numbers per batch row in CommitMsg.rows: logId, base, last, count, payloadBytes, maxTs, start, length. */
export const ROW_FIELDS = 8;

/** One group commit: every batch encoded into one transferable buffer, rows describe where each batch lies. */
export interface CommitMsg {
  t: 'commit';
  id: number;
  /**
   * Bumped by the store after a failed commit. The worker refuses the remaining commits of a failed epoch
   * unwritten, so no later commit can land after a hole in a log's offsets.
   */
  epoch: number;
  seq: number;
  file: string;
  buf: ArrayBuffer;
  rows: Float64Array;
  /** Test hook: stop inside the transaction until the main thread has run testHooks.insideCommit. */
  hook: boolean;
}

/** Checkpoint (TRUNCATE) and close the writer's connection of a full segment: it is sealed. */
export interface SealMsg {
  t: 'seal';
  seq: number;
}

/** Test hook: cap a segment's size in pages (a full disk). */
export interface MaxPagesMsg {
  t: 'maxPages';
  seq: number;
  file: string;
  pages: number;
}

export interface CloseMsg {
  t: 'close';
}

export type ToWriter = CommitMsg | SealMsg | MaxPagesMsg | CloseMsg;

export interface WriterError {
  code: string | undefined;
  message: string;
}

export type FromWriter =
  | { t: 'ready' }
  /** Commits firstId..lastId are committed (error null) or failed, none of them written (error set). */
  | { t: 'done'; firstId: number; lastId: number; error: WriterError | null }
  | { t: 'sealed'; seq: number; error: WriterError | null }
  | { t: 'inside' }
  | { t: 'closed' };

export interface WriterData {
  port: MessagePort;
  /** Int32Array view: [CTL_DONE_ID] last commit id answered, [CTL_HOOK_GATE] test-hook gate. */
  ctl: SharedArrayBuffer;
  synchronous: 'full' | 'normal';
  checkpointWalBytes: number;
  /**
   * WAL bytes past which the writer checkpoints as soon as no commit is waiting ('writer' checkpointer only): many
   * small checkpoints in the gaps between commits instead of one large one (checkpointWalBytes) that every commit
   * arriving meanwhile waits for.
   */
  checkpointIdleWalBytes: number;
  commitOverheadBytes: number;
  /**
   * 'thread': PASSIVE checkpoints run on a checkpointer thread with its own connection, so a commit never waits
   * for one (wal-checkpointer-worker.ts). 'writer': the writer runs them between commits.
   */
  checkpointer: CheckpointerMode;
  /**
   * WAL file size past which the writer stops relying on the checkpointer and checkpoints (RESTART) itself,
   * waiting for it: the WAL cannot grow without bound when the checkpointer falls behind or never catches up.
   */
  walBytesMax: number;
}

export type CheckpointerMode = 'thread' | 'writer';

/** Writer → checkpointer: checkpoint (PASSIVE) this segment's WAL. At most one is outstanding (CK_BUSY). */
export interface CheckpointReq {
  t: 'checkpoint';
  seq: number;
  file: string;
}

/** Writer → checkpointer: close the connection to this segment (it is being sealed, or the store closes). */
export interface DropReq {
  t: 'drop';
  seq: number;
}

export type ToCheckpointer = CheckpointReq | DropReq;

export interface CheckpointerData {
  port: MessagePort;
  /** Int32Array view: [CK_BUSY] 1 while a checkpoint request is outstanding, [CK_DROPS] drops done (counter). */
  ctl: SharedArrayBuffer;
}

export const CK_BUSY = 0;
export const CK_DROPS = 1;
/** Checkpoints done by the checkpointer thread (counter; tests and the bench read it). */
export const CK_DONE = 2;
/** Frames in the WAL (since it last restarted) that the checkpointer's last pass saw. */
export const CK_LOG_FRAMES = 3;
export const CK_SLOTS = 4;

export const CTL_DONE_ID = 0;
export const CTL_HOOK_GATE = 1;
export const CTL_SLOTS = 2;
