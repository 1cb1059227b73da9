import { describe, expect, it } from "vitest";
import { mlflowILike, mlflowLike } from "./mlflow-like.ts";
import { parseMlflowRunFilter } from "./mlflow-run-filter.ts";
import { matchesMlflowRun } from "./mlflow-run-match.ts";
import type { MlflowRunView } from "./mlflow-run-view.ts";
import { mlflowRun } from "./mlflow-test-runs.ts";

function matching(runs: MlflowRunView[], filter: string): number[] {
  const parsed = parseMlflowRunFilter(filter);
  return runs.flatMap((run, index) => (matchesMlflowRun(parsed, run) ? [index] : []));
}

// The runs of MLflow's test_correct_filtering.
const runs = [
  mlflowRun({
    runId: "hi",
    status: "FAILED",
    metrics: { key1: 121 },
    params: { my_param: "A" },
    datasets: [{ name: "name1", digest: "digest1", context: "train" }],
  }),
  mlflowRun({
    runId: "hi2",
    status: "FINISHED",
    metrics: { key1: 123 },
    params: { my_param: "A" },
    tags: { tag1: "C" },
    datasets: [{ name: "name1", digest: "digest1" }],
  }),
  mlflowRun({
    runId: "hi3",
    experimentId: "1",
    status: "FAILED",
    metrics: { key1: 125 },
    params: { my_param: "B" },
    tags: { tag1: "D" },
    datasets: [{ name: "name2", digest: "digest2" }],
  }),
];

describe("matchesMlflowRun", () => {
  it.each([
    ["", [0, 1, 2]],
    ["attributes.status = 'FAILED'", [0, 2]],
    ["metrics.key1 = 123", [1]],
    ["metrics.key1 != 123", [0, 2]],
    ["metrics.key1 >= 123", [1, 2]],
    ["params.my_param = 'A'", [0, 1]],
    ["tags.tag1 = 'D'", [2]],
    // A missing tag matches neither = nor !=.
    ["tags.tag1 != 'D'", [1]],
    ["params.my_param = 'A' AND attributes.status = 'FAILED'", [0]],
    ["datasets.name = 'name1'", [0, 1]],
    ["datasets.name IN ('name1', 'name2')", [0, 1, 2]],
    ["datasets.digest IN ('digest1', 'digest2')", [0, 1, 2]],
    ["datasets.name = 'name1' AND datasets.digest = 'digest2'", []],
    ["datasets.context = 'train'", [0]],
    ["datasets.name = 'name1' AND datasets.context = 'train'", [0]],
    ["run_id IN ('hi', 'hi3')", [0, 2]],
    ["run_id NOT IN ('hi', 'hi3')", [1]],
    ["tags.tag1 IS NULL", [0]],
    ["tags.tag1 IS NOT NULL", [1, 2]],
    ["params.my_param LIKE 'a'", []],
    ["params.my_param ILIKE 'a'", [0, 1]],
  ] as const)("%s matches runs %j", (filter, expected) => {
    expect(matching(runs, filter)).toEqual(expected);
  });

  it("filters by start and end time (test_filter_runs_by_start_time / end_time)", () => {
    const timed = ["a", "b", "c"].map((runId, index) =>
      mlflowRun({ runId, startTime: index, endTime: index }),
    );
    expect(matching(timed, "attribute.start_time >= 0")).toEqual([0, 1, 2]);
    expect(matching(timed, "attribute.start_time > 1")).toEqual([2]);
    expect(matching(timed, "attribute.start_time = 2")).toEqual([2]);
    expect(matching(timed, "attribute.end_time > 1")).toEqual([2]);
    expect(matching(timed, "created < 1")).toEqual([0]);
    expect(matching([mlflowRun({ runId: "r", endTime: null })], "attribute.end_time > 0")).toEqual([]);
    expect(matching([mlflowRun({ runId: "r", endTime: null })], "attribute.end_time != 0")).toEqual([]);
  });

  it("filters by user id and run name", () => {
    const people = [
      mlflowRun({ runId: "a", userId: "user-id" }),
      mlflowRun({ runId: "b", userId: "user-id2" }),
    ];
    expect(matching(people, "attribute.user_id = 'user-id2'")).toEqual([1]);
    const named = [
      mlflowRun({ runId: "a", runName: "Sunny Fox" }),
      mlflowRun({ runId: "b", runName: "rainy" }),
    ];
    expect(matching(named, "`Run name` LIKE '%Fox'")).toEqual([0]);
    expect(matching(named, "attributes.run_name ILIKE 'SUNNY%'")).toEqual([0]);
  });

  it("compares metrics as numbers, NaN and infinities included", () => {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, 1e308];
    const numeric = values.map((x, index) => mlflowRun({ runId: `r${index}`, metrics: { x } }));
    expect(matching(numeric, "metrics.x > 0")).toEqual([1, 4]);
    expect(matching(numeric, "metrics.x != 0")).toEqual([0, 1, 2, 4]);
    expect(matching(numeric, "metrics.x <= 0")).toEqual([2, 3]);
    expect(matching(numeric, "metrics.x = 0")).toEqual([3]);
  });

  it("ignores inherited keys such as `constructor`", () => {
    expect(matching([mlflowRun({ runId: "a" })], "params.constructor != 'x'")).toEqual([]);
    expect(matching([mlflowRun({ runId: "a" })], "tags.toString IS NULL")).toEqual([0]);
  });
});

describe("LIKE / ILIKE", () => {
  it.each([
    ["abc", "abc", true],
    ["abc", "a%", true],
    ["abc", "%c", true],
    ["abc", "%b%", true],
    ["abc", "a_c", true],
    ["abc", "a_", false],
    ["abc", "_bc", true],
    ["abc", "ABC", false],
    ["", "%", true],
    ["a\nb", "a%b", true],
    // Everything but % and _ is literal (MLflow's test_like_pattern_with_plus_character).
    ["jamie-foo C+W bar", "jamie-foo C+W bar", true],
    ["jamie-foo C+W bar", "jamie-foo C+%", true],
    ["jamie-foo CCW bar", "jamie-foo C+W bar", false],
    ["a.c", "a.c", true],
    ["abc", "a.c", false],
    ["a(b)[c]{d}$^|\\/", "a(b)[c]{d}$^|\\/", true],
    ["😀x", "_x", true],
  ] as const)("%j LIKE %j is %s", (value, pattern, expected) => {
    expect(mlflowLike(value, pattern)).toBe(expected);
  });

  it("ILIKE ignores case, LIKE does not", () => {
    expect(mlflowILike("Hello World", "hello%")).toBe(true);
    expect(mlflowLike("Hello World", "hello%")).toBe(false);
    expect(mlflowILike("ÉCOLE", "école")).toBe(true);
  });
});
