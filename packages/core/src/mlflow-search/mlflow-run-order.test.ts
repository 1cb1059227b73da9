import { describe, expect, it } from "vitest";
import { MlflowFilterError } from "./mlflow-filter-error.ts";
import { compareMlflowRuns, parseMlflowOrderBy } from "./mlflow-run-order.ts";
import type { MlflowRunView } from "./mlflow-run-view.ts";
import { mlflowRun } from "./mlflow-test-runs.ts";

function sorted(runs: MlflowRunView[], orderBy: string[]): number[] {
  const order = compareMlflowRuns(parseMlflowOrderBy(orderBy));
  return [...runs].sort(order).map((run) => runs.indexOf(run));
}

function errorOf(orderBy: string): string {
  try {
    parseMlflowOrderBy([orderBy]);
  } catch (error) {
    if (error instanceof MlflowFilterError) return error.message;
    throw error;
  }
  throw new Error(`expected ${orderBy} to be refused`);
}

// The runs of MLflow's test_correct_sorting.
const runs = [
  mlflowRun({
    runId: "9",
    status: "FAILED",
    startTime: 0,
    metrics: { key1: 121 },
    params: { my_param: "A" },
  }),
  mlflowRun({
    runId: "8",
    status: "FINISHED",
    startTime: 1,
    metrics: { key1: 123 },
    params: { my_param: "A" },
    tags: { tag1: "C" },
  }),
  mlflowRun({
    runId: "7",
    status: "FAILED",
    startTime: 1,
    metrics: { key1: 125 },
    params: { my_param: "B" },
    tags: { tag1: "D" },
  }),
];

describe("compareMlflowRuns", () => {
  it.each([
    [[], [2, 1, 0]],
    [["tags.noSuchTag"], [2, 1, 0]],
    [["attributes.status"], [2, 0, 1]],
    [["attributes.start_time"], [0, 2, 1]],
    [["metrics.key1 asc"], [0, 1, 2]],
    [['metrics."key1"  desc'], [2, 1, 0]],
    [["params.my_param"], [1, 0, 2]],
    [
      ["params.my_param aSc", "attributes.status  ASC"],
      [0, 1, 2],
    ],
    [
      ["params.my_param", "attributes.status DESC"],
      [1, 0, 2],
    ],
    [
      ["params.my_param DESC", "attributes.status   DESC"],
      [2, 1, 0],
    ],
    [
      ["params.`my_param` DESC", "attributes.status DESC"],
      [2, 1, 0],
    ],
    [["tags.tag1"], [1, 2, 0]],
    [["tags.tag1    DESC"], [2, 1, 0]],
    [["created"], [0, 2, 1]],
  ])("order_by %j gives %j", (orderBy, expected) => {
    expect(sorted(runs, orderBy)).toEqual(expected);
  });

  it("puts NaN, then missing metrics, last in both directions (test_order_by_metric_with_nans_infs_nones)", () => {
    const values = ["nan", "inf", "-inf", "-1000", "0", "1000", "None"];
    const metricRuns = values.map((runId) =>
      mlflowRun({ runId, metrics: runId === "None" ? {} : { x: Number(runId.replace("inf", "Infinity")) } }),
    );
    const ids = (orderBy: string) => sorted(metricRuns, [orderBy]).map((index) => values[index]);
    metricRuns[0]!.metrics.x = Number.NaN;
    expect(ids("metrics.x asc")).toEqual(["-inf", "-1000", "0", "1000", "inf", "nan", "None"]);
    expect(ids("metrics.x desc")).toEqual(["inf", "1000", "0", "-1000", "-inf", "nan", "None"]);
  });

  it("puts runs without an end time last", () => {
    const ended = [mlflowRun({ runId: "a", endTime: null }), mlflowRun({ runId: "b", endTime: 5 })];
    expect(sorted(ended, ["attributes.end_time DESC"])).toEqual([1, 0]);
    expect(sorted(ended, ["attributes.end_time"])).toEqual([1, 0]);
  });
});

describe("parseMlflowOrderBy", () => {
  it("reads keys with spaces and the direction (test_space_order_by_search_runs)", () => {
    expect(
      parseMlflowOrderBy(["metrics.`Mean Square Error`", "params.`a b` ASC", 'tags."x y" DESC']),
    ).toEqual([
      { type: "metric", key: "Mean Square Error", ascending: true },
      { type: "parameter", key: "a b", ascending: true },
      { type: "tag", key: "x y", ascending: false },
    ]);
    expect(parseMlflowOrderBy(["attr.start_time DESC"])).toEqual([
      { type: "attribute", key: "start_time", ascending: false },
    ]);
  });

  // test_invalid_order_by_search_runs.
  it.each([
    ["m.acc", "Invalid entity type 'm'"],
    ["acc", "Invalid attribute key 'acc'"],
    ["attri.x", "Invalid entity type"],
    ["`metrics.A", "Invalid order_by clause '`metrics.A'. Could not be parsed."],
    ["`metrics.A`", "Invalid entity type '`metrics'"],
    ["attribute.start", "Invalid attribute key"],
    ["attribute.experiment_id", "Invalid attribute key"],
    ["`Run name`", "Invalid attribute key 'Run name'"],
    ["metrics.A != 1", "Invalid order_by clause"],
    ["params.my_param ", "Invalid order_by clause"],
    ["", "Invalid order_by clause '' "],
    ["attribute.run_id ACS", "Invalid ordering key in order_by clause 'attribute.run_id ACS'."],
    ["attribute.run_id decs", "Invalid ordering key"],
    ["datasets.name", "Invalid order_by entity type 'dataset'"],
  ])("refuses %j", (orderBy, message) => {
    expect(errorOf(orderBy)).toContain(message.trimEnd());
  });

  it("refuses the same field twice, as MLflow's SQL store", () => {
    expect(() => parseMlflowOrderBy(["metrics.a", "metrics.`a` DESC"])).toThrow(
      "`order_by` contains duplicate fields: ['metrics.a', 'metrics.`a` DESC']",
    );
    expect(() => parseMlflowOrderBy(["created", "start_time"])).toThrow("duplicate fields");
  });
});
