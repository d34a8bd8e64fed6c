/**
 * One consumer's place in its group, as its batches see it between two joins:
 * - lost: a heartbeat or commit was answered with a membership error (unknown member, stale
 *   generation, rebalance). Every batch still queued from the same fetch ends at once with that
 *   error, so kafkajs rejoins now instead of after working through (and failing) the rest of the
 *   fetch; the next join clears it.
 * - unsettled: memberships lost with no progress since. A consumer that keeps losing its
 *   membership (each join undone before a batch is committed) is not alive, however often it joins.
 * - episodes: losses within a window, counted once per membership (not once per failed batch), so
 *   one rebalance seen by several concurrent batches counts once.
 */
export class GroupMembership {
  private lostWith?: unknown;
  private unsettledAt?: number;
  private episodes: number[] = [];

  constructor(private readonly windowMs = 60_000) {}

  get isLost(): boolean {
    return this.lostWith !== undefined;
  }

  /** The member joined (or rejoined) its group. */
  joined(): void {
    this.lostWith = undefined;
  }

  /** A membership error was seen; returns how many memberships were lost within the window. */
  lost(err: unknown, now = Date.now()): number {
    if (this.lostWith !== undefined) return this.episodes.length;
    this.lostWith = err ?? new Error('membership lost');
    this.unsettledAt ??= now;
    this.episodes = [...this.episodes.filter((t) => now - t < this.windowMs), now];
    return this.episodes.length;
  }

  /** A slice was applied and its offsets handed to kafkajs: the membership held. */
  progressed(): void {
    this.unsettledAt = undefined;
    this.episodes = [];
  }

  /** The member stayed in its group long enough without losing it (idle members make no progress). */
  settled(): void {
    if (this.lostWith === undefined) this.unsettledAt = undefined;
  }

  /** Throws the error that lost the membership, if it is lost. */
  assertMember(): void {
    if (this.lostWith !== undefined) throw this.lostWith;
  }

  /** How long memberships have been lost without progress (0 when settled). */
  unsettledFor(now = Date.now()): number {
    return this.unsettledAt === undefined ? 0 : now - this.unsettledAt;
  }

  /** Forgets everything (a new consumer). */
  reset(): void {
    this.lostWith = undefined;
    this.episodes = [];
  }
}
