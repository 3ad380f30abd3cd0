/**
 * Consumer groups with broker-side assignment (in the spirit of Kafka's KIP-848: the broker, not a leader member,
 * runs the assignor). Protocol-free: the native adapter maps its frames onto these calls.
 *
 * Group states (Kafka's names):
 *
 *   Empty ──first join──► PreparingRebalance ──all re-joined──► CompletingRebalance ──all heartbeated──► Stable
 *     ▲                     ▲  (or rebalanceTimeoutMs: absent         (assignment handed out,          │
 *     │                     │   members are removed)                   like Kafka's SyncGroup)          │
 *     │                     └───────── join / leave / session timeout / topic change ◄─────────────────┘
 *     └── last member gone;   an Empty group without offsets is forgotten; deleteGroup ──► Dead
 *
 * - join resolves when the rebalance completes (generation + 1, assignment computed by the group's assignor).
 *   A known member re-joining a Stable group with an unchanged subscription gets its assignment at once.
 * - heartbeat: UNKNOWN_MEMBER, ILLEGAL_GENERATION, or rebalanceRequired while PreparingRebalance.
 * - session timeout: a member without heartbeat for sessionTimeoutMs is removed and the group rebalances.
 *   While a member waits in join its session timer is paused (the rebalance timeout governs then).
 * - cooperative-sticky: when partitions move between members, the generation that revokes them is followed at
 *   once by another rebalance that assigns them (KIP-429), so no partition has two owners in one generation.
 */
import { randomUUID } from 'node:crypto';
import { BrokerError } from '../errors';
import type {
  Assignor,
  CommittedOffset,
  GroupCoordinator,
  GroupInfo,
  GroupPartitionLag,
  JoinRequest,
  JoinResult,
  OffsetResetSpec,
  TopicPartitions,
} from '../types';
import { ASSIGNORS, isAssignor } from './assignors';
import { byString } from './assignors/assignor';
import { CommittedOffsets } from './committed-offsets';
import type { GroupDeps } from './group-types';

type GroupState = GroupInfo['state'];

interface Member {
  memberId: string;
  clientId: string;
  topics: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  assignment: TopicPartitions[];
  lastHeartbeatMs: number;
  /** Set while the member waits in join for the rebalance to complete. */
  pendingJoin: { resolve(r: JoinResult): void; reject(e: Error): void } | null;
  cancelSession: (() => void) | null;
  /** Last generation the member acted on (heartbeat, commit); all members current → Stable. */
  confirmedGeneration: number;
}

interface Group {
  groupId: string;
  state: GroupState;
  generation: number;
  assignor: Assignor;
  members: Map<string, Member>;
  cancelRebalance: (() => void) | null;
}

export class GroupCoordinatorImpl implements GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly offsets: CommittedOffsets;
  private closed = false;

  constructor(private readonly deps: GroupDeps) {
    this.offsets = new CommittedOffsets(deps.vhostName, deps.meta);
  }

  /** Reloads committed offsets; their groups reappear as Empty (members re-join after a restart). */
  recover(): void {
    this.offsets.recover();
  }

  /** Stops every timer; waiting joins fail with BROKER_STOPPING. */
  close(): void {
    this.closed = true;
    for (const group of this.groups.values()) {
      group.cancelRebalance?.();
      group.cancelRebalance = null;
      for (const member of group.members.values()) {
        member.cancelSession?.();
        member.cancelSession = null;
        member.pendingJoin?.reject(new BrokerError('BROKER_STOPPING', 'broker is stopping'));
        member.pendingJoin = null;
      }
    }
  }

  // ------------------------------------------------------------------------------------------ membership

  join(req: JoinRequest): Promise<JoinResult> {
    try {
      return this.joinChecked(req);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private joinChecked(req: JoinRequest): Promise<JoinResult> {
    if (this.closed) throw new BrokerError('BROKER_STOPPING', 'broker is stopping');
    this.checkGroupId(req.groupId);
    this.checkJoin(req);
    let group = this.groups.get(req.groupId);
    let member: Member | undefined;
    if (req.memberId !== '') {
      member = group?.members.get(req.memberId);
      if (group === undefined || member === undefined) {
        throw new BrokerError('UNKNOWN_MEMBER', `member ${req.memberId} is not in group ${req.groupId}`);
      }
    }
    if (group !== undefined && group.members.size > (member ? 1 : 0) && group.assignor !== req.assignor) {
      // Kafka's INCONSISTENT_GROUP_PROTOCOL: the members of a group must agree on the assignor.
      throw new BrokerError('INVALID_ARGUMENT', `group ${req.groupId} uses assignor ${group.assignor}`);
    }
    group ??= this.createGroup(req.groupId);
    if (member === undefined) {
      if (group.members.size >= this.deps.limits.groupMembersMax) {
        throw new BrokerError('LIMIT_EXCEEDED', `group ${req.groupId} has ${group.members.size} members`);
      }
      member = this.newMember(req);
      group.members.set(member.memberId, member);
    } else {
      const unchanged = sameTopics(member.topics, req.topics) && group.assignor === req.assignor;
      this.updateMember(member, req);
      if (unchanged && member.pendingJoin === null && (group.state === 'Stable' || group.state === 'CompletingRebalance')) {
        this.touch(group, member);
        return Promise.resolve(this.resultFor(group, member));
      }
    }
    group.assignor = req.assignor;
    member.cancelSession?.();
    member.cancelSession = null;
    member.lastHeartbeatMs = this.deps.now();
    // A duplicate join while one is pending: the newer call takes over; the older one is told to retry.
    member.pendingJoin?.reject(new BrokerError('REBALANCE_IN_PROGRESS', 'superseded by a newer join'));
    const joined = member;
    const promise = new Promise<JoinResult>((resolve, reject) => {
      joined.pendingJoin = { resolve, reject };
    });
    if (group.state === 'PreparingRebalance') this.maybeCompleteRebalance(group);
    else this.prepareRebalance(group, `member ${member.memberId} joined`);
    return promise;
  }

  heartbeat(groupId: string, memberId: string, generation: number): { rebalanceRequired: boolean } {
    const { group, member } = this.memberOf(groupId, memberId);
    member.lastHeartbeatMs = this.deps.now();
    if (member.pendingJoin === null) this.armSession(group, member);
    if (group.state === 'PreparingRebalance') return { rebalanceRequired: true };
    if (generation !== group.generation) {
      throw new BrokerError('ILLEGAL_GENERATION', `generation ${generation} is not ${group.generation}`);
    }
    this.confirm(group, member);
    return { rebalanceRequired: false };
  }

  leave(groupId: string, memberId: string): void {
    const { group, member } = this.memberOf(groupId, memberId);
    this.removeMember(group, member, 'left the group');
  }

  // ------------------------------------------------------------------------------------------ offsets

  async commit(
    groupId: string,
    offsets: readonly CommittedOffset[],
    memberId?: string,
    generation?: number,
  ): Promise<void> {
    this.checkGroupId(groupId);
    const group = this.groups.get(groupId);
    if (memberId !== undefined && memberId !== '') {
      const { member } = this.memberOf(groupId, memberId);
      const current = (group as Group).generation;
      if (generation !== current) {
        throw new BrokerError('ILLEGAL_GENERATION', `generation ${String(generation)} is not ${current}`);
      }
      this.touch(group as Group, member);
    } else if (group !== undefined && group.members.size > 0) {
      // Like Kafka: a standalone (simple) consumer may only commit for a group without active members.
      throw new BrokerError('UNKNOWN_MEMBER', `group ${groupId} has active members; commit needs a member id`);
    }
    for (const o of offsets) this.checkOffset(o);
    if (group === undefined && !this.offsets.hasGroup(groupId)) this.checkGroupCount();
    await this.offsets.commit(groupId, offsets);
  }

  fetchOffsets(groupId: string, topic?: string): CommittedOffset[] {
    return this.offsets.list(groupId, topic);
  }

  async resetOffsets(groupId: string, topic: string, spec: OffsetResetSpec): Promise<CommittedOffset[]> {
    this.checkGroupId(groupId);
    const group = this.groups.get(groupId);
    if (group !== undefined && group.members.size > 0) {
      throw new BrokerError('REBALANCE_IN_PROGRESS', `group ${groupId} has active members; stop them first`);
    }
    const count = this.partitionCount(topic);
    const view = this.deps.topics;
    const out: CommittedOffset[] = [];
    for (let p = 0; p < count; p++) {
      const start = view.startOffset(topic, p);
      const end = view.endOffset(topic, p);
      let offset: number;
      if (spec.to === 'earliest') offset = start;
      else if (spec.to === 'latest') offset = end;
      else if (spec.to === 'offset') {
        if (!Number.isSafeInteger(spec.offset)) throw new BrokerError('INVALID_ARGUMENT', 'offset must be an integer');
        offset = Math.min(Math.max(spec.offset, start), end);
      } else {
        if (!Number.isFinite(spec.timestampMs)) throw new BrokerError('INVALID_ARGUMENT', 'timestampMs must be a number');
        offset = Math.min(view.offsetForTimestamp(topic, p, spec.timestampMs), end);
      }
      out.push({ topic, partition: p, offset });
    }
    if (!this.offsets.hasGroup(groupId)) this.checkGroupCount();
    await this.offsets.commit(groupId, out);
    return out;
  }

  // ------------------------------------------------------------------------------------------ admin

  list(): string[] {
    const ids = new Set([...this.groups.keys(), ...this.offsets.groups()]);
    return [...ids].sort(byString);
  }

  describe(groupId: string): GroupInfo {
    const group = this.groups.get(groupId);
    if (group === undefined && !this.offsets.hasGroup(groupId)) {
      // Kafka answers DescribeGroups for an unknown group with state Dead and no members.
      return { groupId, state: 'Dead', generation: 0, assignor: 'range', members: [], lag: [] };
    }
    const members = group === undefined ? [] : [...group.members.values()];
    return {
      groupId,
      state: group?.state ?? 'Empty',
      generation: group?.generation ?? 0,
      assignor: group?.assignor ?? 'range',
      members: members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        assignment: m.assignment.map((tp) => ({ topic: tp.topic, partitions: [...tp.partitions] })),
        lastHeartbeatMs: m.lastHeartbeatMs,
      })),
      lag: this.lagOf(groupId, members),
    };
  }

  async deleteGroup(groupId: string): Promise<void> {
    const group = this.groups.get(groupId);
    if (group === undefined && !this.offsets.hasGroup(groupId)) {
      throw new BrokerError('NOT_FOUND', `no group ${groupId}`);
    }
    if (group !== undefined && group.members.size > 0) {
      // Kafka's NON_EMPTY_GROUP.
      throw new BrokerError('PRECONDITION_FAILED', `group ${groupId} has active members`);
    }
    if (group !== undefined) {
      group.state = 'Dead';
      group.cancelRebalance?.();
      this.groups.delete(groupId);
    }
    await this.offsets.deleteGroup(groupId);
  }

  // ------------------------------------------------------------------------------------------ topic events

  /** A topic appeared or changed: groups subscribed to it rebalance so members receive its partitions. */
  topicChanged(topic: string): void {
    for (const group of this.groups.values()) {
      if (group.members.size === 0 || group.state === 'PreparingRebalance') continue;
      if ([...group.members.values()].some((m) => m.topics.includes(topic))) {
        this.prepareRebalance(group, `topic ${topic} changed`);
      }
    }
  }

  /** A topic was deleted: its offsets go (as in Kafka) and subscribed groups rebalance. */
  topicDeleted(topic: string): Promise<void> {
    this.topicChanged(topic);
    return this.offsets.deleteTopic(topic);
  }

  // ------------------------------------------------------------------------------------------ rebalancing

  private prepareRebalance(group: Group, reason: string): void {
    this.deps.logger.debug({ group: group.groupId, reason }, 'rebalance');
    group.state = 'PreparingRebalance';
    group.cancelRebalance?.();
    group.cancelRebalance = null;
    if (this.closed) return;
    let timeoutMs = 0;
    for (const m of group.members.values()) timeoutMs = Math.max(timeoutMs, m.rebalanceTimeoutMs);
    group.cancelRebalance = this.deps.setTimer(timeoutMs, () => {
      group.cancelRebalance = null;
      if (group.state === 'PreparingRebalance') this.completeRebalance(group);
    });
    this.maybeCompleteRebalance(group);
  }

  private maybeCompleteRebalance(group: Group): void {
    for (const m of group.members.values()) if (m.pendingJoin === null) return;
    this.completeRebalance(group);
  }

  /** Members that did not re-join in time are dropped; the rest get the new generation's assignment. */
  private completeRebalance(group: Group): void {
    group.cancelRebalance?.();
    group.cancelRebalance = null;
    for (const m of [...group.members.values()]) {
      if (m.pendingJoin !== null) continue;
      this.deps.logger.info({ group: group.groupId, member: m.memberId }, 'member removed: did not re-join in time');
      m.cancelSession?.();
      group.members.delete(m.memberId);
    }
    group.generation++;
    if (group.members.size === 0) {
      this.becomeEmpty(group);
      return;
    }
    const members = [...group.members.values()];
    const partitionsPerTopic = new Map<string, number>();
    for (const m of members) {
      for (const t of m.topics) {
        const n = this.deps.topics.partitionCount(t);
        if (n !== undefined) partitionsPerTopic.set(t, n);
      }
    }
    const out = ASSIGNORS[group.assignor]({
      members: members.map((m) => ({
        memberId: m.memberId,
        topics: m.topics.filter((t) => partitionsPerTopic.has(t)),
        owned: m.assignment,
      })),
      partitionsPerTopic,
    });
    group.state = 'CompletingRebalance';
    for (const m of members) {
      m.assignment = out.assignment.get(m.memberId) ?? [];
      const pending = m.pendingJoin;
      m.pendingJoin = null;
      m.lastHeartbeatMs = this.deps.now();
      this.armSession(group, m);
      pending?.resolve(this.resultFor(group, m));
    }
    if (out.revocationsPending) this.prepareRebalance(group, 'cooperative follow-up: assign revoked partitions');
  }

  private removeMember(group: Group, member: Member, reason: string): void {
    this.deps.logger.info({ group: group.groupId, member: member.memberId, reason }, 'member removed');
    member.cancelSession?.();
    member.cancelSession = null;
    member.pendingJoin?.reject(new BrokerError('UNKNOWN_MEMBER', `member ${member.memberId} ${reason}`));
    member.pendingJoin = null;
    group.members.delete(member.memberId);
    if (group.members.size === 0) {
      group.cancelRebalance?.();
      group.cancelRebalance = null;
      group.generation++;
      this.becomeEmpty(group);
    } else if (group.state === 'PreparingRebalance') this.maybeCompleteRebalance(group);
    else this.prepareRebalance(group, `member ${member.memberId} ${reason}`);
  }

  private becomeEmpty(group: Group): void {
    group.state = 'Empty';
    // An Empty group without offsets has nothing left to remember (Kafka marks it Dead and forgets it).
    if (!this.offsets.hasGroup(group.groupId)) {
      group.state = 'Dead';
      this.groups.delete(group.groupId);
    }
  }

  // ------------------------------------------------------------------------------------------ helpers

  private armSession(group: Group, member: Member): void {
    member.cancelSession?.();
    member.cancelSession = null;
    if (this.closed) return; // no timers outlive close()
    member.cancelSession = this.deps.setTimer(member.sessionTimeoutMs, () => {
      member.cancelSession = null;
      if (group.members.get(member.memberId) === member) this.removeMember(group, member, 'session timed out');
    });
  }

  /** A heartbeat or commit in the current generation: the member is alive and has its assignment. */
  private touch(group: Group, member: Member): void {
    member.lastHeartbeatMs = this.deps.now();
    if (member.pendingJoin === null) this.armSession(group, member);
    if (group.state !== 'PreparingRebalance') this.confirm(group, member);
  }

  private confirm(group: Group, member: Member): void {
    member.confirmedGeneration = group.generation;
    if (group.state !== 'CompletingRebalance') return;
    for (const m of group.members.values()) if (m.confirmedGeneration !== group.generation) return;
    group.state = 'Stable';
  }

  private resultFor(group: Group, member: Member): JoinResult {
    return {
      memberId: member.memberId,
      generation: group.generation,
      assignment: member.assignment.map((tp) => ({ topic: tp.topic, partitions: [...tp.partitions] })),
    };
  }

  private createGroup(groupId: string): Group {
    if (!this.offsets.hasGroup(groupId)) this.checkGroupCount();
    const group: Group = {
      groupId,
      state: 'Empty',
      generation: 0,
      assignor: 'range',
      members: new Map(),
      cancelRebalance: null,
    };
    this.groups.set(groupId, group);
    return group;
  }

  private newMember(req: JoinRequest): Member {
    const clientId = req.clientId.slice(0, this.deps.limits.clientIdMaxChars);
    return {
      memberId: `${clientId.length > 0 ? clientId : 'member'}-${randomUUID()}`,
      clientId,
      topics: [...new Set(req.topics)],
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      assignment: [],
      lastHeartbeatMs: this.deps.now(),
      pendingJoin: null,
      cancelSession: null,
      confirmedGeneration: -1,
    };
  }

  private updateMember(member: Member, req: JoinRequest): void {
    member.clientId = req.clientId.slice(0, this.deps.limits.clientIdMaxChars);
    member.topics = [...new Set(req.topics)];
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
  }

  private memberOf(groupId: string, memberId: string): { group: Group; member: Member } {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) {
      throw new BrokerError('UNKNOWN_MEMBER', `member ${memberId} is not in group ${groupId}`);
    }
    return { group, member };
  }

  private lagOf(groupId: string, members: readonly Member[]): GroupPartitionLag[] {
    const keys = new Map<string, Set<number>>();
    const add = (topic: string, partition: number): void => {
      let set = keys.get(topic);
      if (set === undefined) keys.set(topic, (set = new Set()));
      set.add(partition);
    };
    for (const o of this.offsets.list(groupId)) add(o.topic, o.partition);
    for (const m of members) {
      for (const t of m.topics) {
        const n = this.deps.topics.partitionCount(t) ?? 0;
        for (let p = 0; p < n; p++) add(t, p);
      }
    }
    const out: GroupPartitionLag[] = [];
    for (const topic of [...keys.keys()].sort(byString)) {
      const count = this.deps.topics.partitionCount(topic);
      if (count === undefined) continue;
      for (const partition of [...(keys.get(topic) as Set<number>)].sort((a, b) => a - b)) {
        if (partition >= count) continue;
        const endOffset = this.deps.topics.endOffset(topic, partition);
        const committed = this.offsets.get(groupId, topic, partition);
        // Without a commit, everything still retained counts as lag (what an "earliest" consumer would read).
        const from = committed ?? this.deps.topics.startOffset(topic, partition);
        out.push({ topic, partition, committed, endOffset, lag: Math.max(0, endOffset - from) });
      }
    }
    return out;
  }

  private partitionCount(topic: string): number {
    const n = this.deps.topics.partitionCount(topic);
    if (n === undefined) throw new BrokerError('UNKNOWN_TOPIC', `no topic ${topic}`);
    return n;
  }

  private checkOffset(o: CommittedOffset): void {
    const n = this.partitionCount(o.topic);
    if (!Number.isInteger(o.partition) || o.partition < 0 || o.partition >= n) {
      throw new BrokerError('UNKNOWN_PARTITION', `topic ${o.topic} has no partition ${o.partition}`);
    }
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
      throw new BrokerError('INVALID_ARGUMENT', `offset ${o.offset} must be a non-negative integer`);
    }
    if (o.metadata !== undefined && o.metadata.length > this.deps.limits.offsetMetadataMaxChars) {
      throw new BrokerError('INVALID_ARGUMENT', `offset metadata longer than ${this.deps.limits.offsetMetadataMaxChars}`);
    }
  }

  private checkGroupId(groupId: string): void {
    if (typeof groupId !== 'string' || groupId.length === 0 || groupId.length > this.deps.limits.groupIdMaxChars) {
      throw new BrokerError('INVALID_ARGUMENT', `group id must have 1..${this.deps.limits.groupIdMaxChars} characters`);
    }
  }

  private checkGroupCount(): void {
    if (this.list().length >= this.deps.limits.groupsMax) {
      throw new BrokerError('LIMIT_EXCEEDED', `at most ${this.deps.limits.groupsMax} groups per vhost`);
    }
  }

  private checkJoin(req: JoinRequest): void {
    const l = this.deps.limits;
    if (!isAssignor(req.assignor)) throw new BrokerError('INVALID_ARGUMENT', `unknown assignor ${String(req.assignor)}`);
    if (
      !Number.isInteger(req.sessionTimeoutMs) ||
      req.sessionTimeoutMs < l.groupSessionTimeoutMinMs ||
      req.sessionTimeoutMs > l.groupSessionTimeoutMaxMs
    ) {
      throw new BrokerError(
        'INVALID_ARGUMENT',
        `sessionTimeoutMs must be in ${l.groupSessionTimeoutMinMs}..${l.groupSessionTimeoutMaxMs}`,
      );
    }
    const rebalanceMs = req.rebalanceTimeoutMs;
    if (!Number.isInteger(rebalanceMs) || rebalanceMs < 0 || rebalanceMs > l.groupRebalanceTimeoutMaxMs) {
      throw new BrokerError('INVALID_ARGUMENT', `rebalanceTimeoutMs must be in 0..${l.groupRebalanceTimeoutMaxMs}`);
    }
    if (!Array.isArray(req.topics) || req.topics.some((t) => typeof t !== 'string')) {
      throw new BrokerError('INVALID_ARGUMENT', 'topics must be a list of names');
    }
  }
}

function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((t) => sb.has(t));
}
