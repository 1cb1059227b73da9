import type { Database } from "../db/client.ts";
import { type ClaimedRow, type ClaimHolder, claimQueuedRuns, type SlotOffer } from "./queue-claim.ts";

interface PendingClaim {
  offer: SlotOffer;
  holder: ClaimHolder;
  resolve: (row: ClaimedRow | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Claims of this API process, committed together. Every claim's commit carries a NOTIFY and takes
 * the live-event ordering lock, so such commits happen one at a time across the cluster, each
 * waiting for its own WAL flush (about 3 ms on the development machine: at most ~330 a second, all
 * processes together). Claims that arrive while one is being committed wait for it, then go in one
 * transaction (one statement per distinct offer), one commit for all: a lone claim waits for
 * nothing, and eight runner connections claiming at once cost one flush instead of eight.
 * Claims are made outside any transaction (`runners.claim` runs outside one).
 */
export class ClaimBatcher {
  private pending: PendingClaim[] = [];
  private running = false;

  constructor(private readonly database: Database) {}

  claim(offer: SlotOffer, holder: ClaimHolder): Promise<ClaimedRow | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ offer, holder, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let batch = this.pending; batch.length > 0; batch = this.pending) {
        this.pending = [];
        await this.commit(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async commit(batch: PendingClaim[]): Promise<void> {
    const byOffer = new Map<string, PendingClaim[]>();
    for (const claim of batch) {
      const key = JSON.stringify(claim.offer);
      byOffer.set(key, [...(byOffer.get(key) ?? []), claim]);
    }
    const groups = [...byOffer.values()];

    const claimGroup = (group: PendingClaim[]) =>
      claimQueuedRuns(
        this.database,
        group[0]!.offer,
        group.map((c) => c.holder),
      );
    try {
      // One offer: one statement, its own transaction. Several: one after the other in one
      // transaction, each seeing the runs the ones before it took.
      const results =
        groups.length === 1
          ? [await claimGroup(groups[0]!)]
          : await this.database.transaction(async () => {
              const out: (ClaimedRow | null)[][] = [];
              for (const group of groups) out.push(await claimGroup(group));
              return out;
            });
      for (const [g, group] of groups.entries()) {
        for (const [i, claim] of group.entries()) claim.resolve(results[g]?.[i] ?? null);
      }
    } catch (error) {
      for (const claim of batch) claim.reject(error);
    }
  }
}
