import { type RunStatus, runStatus } from "@labtrack/schemas";
import { describe, expect, it } from "vitest";
import {
  assertTransition,
  canTransition,
  InvalidTransitionError,
  isActiveStatus,
  isTerminalStatus,
  RUN_TRANSITIONS,
} from "./run-state.ts";

const ALL: RunStatus[] = runStatus.options;

const ALLOWED: [RunStatus, RunStatus][] = [
  ["queued", "running"],
  ["queued", "canceled"],
  ["running", "succeeded"],
  ["running", "failed"],
  ["running", "canceling"],
  ["running", "lost"],
  ["running", "queued"],
  ["canceling", "canceled"],
  ["canceling", "failed"],
  ["canceling", "succeeded"],
  ["canceling", "lost"],
  ["lost", "queued"],
  ["lost", "failed"],
];

describe("run state machine", () => {
  it("allows exactly the documented transitions", () => {
    for (const from of ALL) {
      for (const to of ALL) {
        const expected = ALLOWED.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(expected);
      }
    }
  });

  it("has an entry for every status", () => {
    expect([...RUN_TRANSITIONS.keys()].sort()).toEqual([...ALL].sort());
  });

  it("lets nothing leave a terminal status", () => {
    for (const from of ALL.filter(isTerminalStatus)) {
      expect(RUN_TRANSITIONS.get(from)?.size).toBe(0);
    }
  });

  it("assertTransition throws a readable error for a forbidden change", () => {
    expect(() => assertTransition("succeeded", "running")).toThrow(InvalidTransitionError);
    expect(() => assertTransition("succeeded", "running")).toThrow("run cannot go from succeeded to running");
    expect(() => assertTransition("queued", "running")).not.toThrow();
    try {
      assertTransition("canceled", "queued");
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidTransitionError);
      expect(error).toMatchObject({ from: "canceled", to: "queued", name: "InvalidTransitionError" });
    }
  });

  it("forbids staying in the same status", () => {
    for (const s of ALL) expect(canTransition(s, s)).toBe(false);
  });

  it("classifies terminal and active statuses", () => {
    expect(ALL.filter(isTerminalStatus)).toEqual(["succeeded", "failed", "canceled"]);
    expect(ALL.filter(isActiveStatus)).toEqual(["running", "canceling"]);
  });
});
