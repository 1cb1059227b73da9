import type { RunnerSlot, runnerCapabilities } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import type { z } from "zod";
import type { runners } from "../db/schema.ts";
import type { Caller } from "../trpc.ts";
import type { SlotOffer } from "./queue-claim.ts";

export type RunnerRow = typeof runners.$inferSelect;
type Capabilities = z.output<typeof runnerCapabilities>;

export function unknownRunner(runnerId: string): never {
  throw new TRPCError({ code: "NOT_FOUND", message: `runnerId: no runner ${runnerId}; register again` });
}

/** Who is calling a runner procedure: an admin may act as every runner, other tokens only as their own. */
export type RunnerCaller = Pick<Caller, "tokenId" | "scope">;

/** A runner name belongs to the token that registered it, until that token is revoked. */
function mayActAs(runner: Pick<RunnerRow, "tokenId">, caller: RunnerCaller): boolean {
  return caller.scope === "admin" || (runner.tokenId !== null && runner.tokenId === caller.tokenId);
}

/** `runner`, when `caller` (if given) may act as it; FORBIDDEN otherwise. */
export function checkActsAs(runner: RunnerRow, caller: RunnerCaller | undefined): RunnerRow {
  if (caller && !mayActAs(runner, caller)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `runnerId: runner ${runner.name} was registered with another token; a runner token acts only as the runners it registered`,
    });
  }
  return runner;
}

/** What one slot of `runner` offers to the claim (the projects its token may write: `projects`). */
export function offerFor(
  runner: RunnerRow,
  slotIndex: number,
  projects: readonly string[] | null,
): SlotOffer {
  const slots = runner.slots as RunnerSlot[];
  const slot = slots.find((s) => s.index === slotIndex);
  if (!slot) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `slot: runner ${runner.name} has no slot ${slotIndex} (slots: ${slots.map((s) => s.index).join(", ")})`,
    });
  }
  const caps = runner.capabilities as Capabilities;
  const memories = slot.gpuIndices.map((i) => caps.gpus.find((g) => g.index === i)?.memoryMb ?? 0);
  return {
    queues: runner.queues,
    gpus: slot.gpuIndices.length,
    minGpuMemoryMb: memories.length > 0 ? Math.floor(Math.min(...memories)) : 0,
    backends: caps.backends,
    labels: runner.labels,
    projects,
  };
}

const REMEMBERED_MAX = 10_000;

/**
 * Registrations that claims have read, by id. A registration's name, token, capabilities, queues
 * and slots never change (registering again makes a new id), so a runner's claims read it once.
 * Whether it still exists and is not stopped can change, on whichever API process: the claim
 * statement checks that itself (`claimQueuedRuns`), and a claim that got no run reads it again.
 */
export class RememberedRegistrations {
  private readonly byId = new Map<string, RunnerRow>();

  get(runnerId: string): RunnerRow | undefined {
    return this.byId.get(runnerId);
  }

  /** Remembers `runner` unless it is stopped. */
  remember(runner: RunnerRow): void {
    if (runner.stoppedAt !== null) return;
    if (this.byId.size >= REMEMBERED_MAX) this.byId.clear();
    this.byId.set(runner.id, runner);
  }

  forget(runnerId: string): void {
    this.byId.delete(runnerId);
  }
}
