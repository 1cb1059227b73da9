import { describe, expect, it } from "vitest";
import { MlflowFilterError } from "./mlflow-filter-error.ts";
import { type MlflowRunClause, parseMlflowRunFilter } from "./mlflow-run-filter.ts";

function errorOf(filter: string): string {
  try {
    parseMlflowRunFilter(filter);
  } catch (error) {
    if (error instanceof MlflowFilterError) return error.message;
    throw error;
  }
  throw new Error(`expected ${filter} to be refused`);
}

// Cases from MLflow's tests/utils/test_search_utils.py (test_filter, test_correct_quote_trimming).
const valid: [string, MlflowRunClause[]][] = [
  ["metric.acc >= 0.94", [{ type: "metric", key: "acc", comparator: ">=", value: 0.94 }]],
  ["metric.acc>=100", [{ type: "metric", key: "acc", comparator: ">=", value: 100 }]],
  ["params.m!='tf'", [{ type: "parameter", key: "m", comparator: "!=", value: "tf" }]],
  ['params."m"!="tf"', [{ type: "parameter", key: "m", comparator: "!=", value: "tf" }]],
  ['metric."legit name" >= 0.243', [{ type: "metric", key: "legit name", comparator: ">=", value: 0.243 }]],
  ["metrics.XYZ = 3", [{ type: "metric", key: "XYZ", comparator: "=", value: 3 }]],
  ['params."cat dog" = "pets"', [{ type: "parameter", key: "cat dog", comparator: "=", value: "pets" }]],
  ['metrics."X-Y-Z" = 3', [{ type: "metric", key: "X-Y-Z", comparator: "=", value: 3 }]],
  ['metrics."X//Y#$$@&Z" = 3', [{ type: "metric", key: "X//Y#$$@&Z", comparator: "=", value: 3 }]],
  [
    "params.model = 'LinearRegression'",
    [{ type: "parameter", key: "model", comparator: "=", value: "LinearRegression" }],
  ],
  [
    "metrics.rmse < 1 and params.model_class = 'LR'",
    [
      { type: "metric", key: "rmse", comparator: "<", value: 1 },
      { type: "parameter", key: "model_class", comparator: "=", value: "LR" },
    ],
  ],
  ["", []],
  ["   ", []],
  ["`metric`.a >= 0.1", [{ type: "metric", key: "a", comparator: ">=", value: 0.1 }]],
  ["tags.version = 'commit-hash'", [{ type: "tag", key: "version", comparator: "=", value: "commit-hash" }]],
  [
    "`tags`.source_name = 'a notebook'",
    [{ type: "tag", key: "source_name", comparator: "=", value: "a notebook" }],
  ],
  ['metrics."accuracy.2.0" > 5', [{ type: "metric", key: "accuracy.2.0", comparator: ">", value: 5 }]],
  ["metrics.`spacey name` > 5", [{ type: "metric", key: "spacey name", comparator: ">", value: 5 }]],
  ['params."p.a.r.a.m" != "a"', [{ type: "parameter", key: "p.a.r.a.m", comparator: "!=", value: "a" }]],
  ['tags."t.a.g" = "a"', [{ type: "tag", key: "t.a.g", comparator: "=", value: "a" }]],
  ["tags.mlflow.runName = 'x'", [{ type: "tag", key: "mlflow.runName", comparator: "=", value: "x" }]],
  [
    "attribute.artifact_uri = '1/23/4'",
    [{ type: "attribute", key: "artifact_uri", comparator: "=", value: "1/23/4" }],
  ],
  ["attribute.start_time >= 1234", [{ type: "attribute", key: "start_time", comparator: ">=", value: 1234 }]],
  ["run.status = 'RUNNING'", [{ type: "attribute", key: "status", comparator: "=", value: "RUNNING" }]],
  ["attr.user_id = 'u'", [{ type: "attribute", key: "user_id", comparator: "=", value: "u" }]],
  [
    "attributes.run_name LIKE 'a%'",
    [{ type: "attribute", key: "run_name", comparator: "LIKE", value: "a%" }],
  ],
  ["run_name ilike '%B'", [{ type: "attribute", key: "run_name", comparator: "ILIKE", value: "%B" }]],
  ["`Run name` = 'x'", [{ type: "attribute", key: "run_name", comparator: "=", value: "x" }]],
  ["created > 5", [{ type: "attribute", key: "start_time", comparator: ">", value: 5 }]],
  ["metrics.loss < -1.5e3", [{ type: "metric", key: "loss", comparator: "<", value: -1500 }]],
  ["metrics.loss < .5", [{ type: "metric", key: "loss", comparator: "<", value: 0.5 }]],
  ["dataset.name = 'my_dataset'", [{ type: "dataset", key: "name", comparator: "=", value: "my_dataset" }]],
  ["tags.version IS NULL", [{ type: "tag", key: "version", comparator: "IS NULL" }]],
  ["tags.version IS NOT NULL", [{ type: "tag", key: "version", comparator: "IS NOT NULL" }]],
  ["params.lr is null", [{ type: "parameter", key: "lr", comparator: "IS NULL" }]],
  ["params.m = 'LR'", [{ type: "parameter", key: "m", comparator: "=", value: "LR" }]],
  ['params.m = "LR"', [{ type: "parameter", key: "m", comparator: "=", value: "LR" }]],
  ['params.m = "L\'Hosp"', [{ type: "parameter", key: "m", comparator: "=", value: "L'Hosp" }]],
  // MLflow strips the quotes of a value but never unescapes it.
  ["params.m = 'L''Hosp'", [{ type: "parameter", key: "m", comparator: "=", value: "L''Hosp" }]],
  [
    "attributes.run_id IN ('abc1', 'def2')",
    [{ type: "attribute", key: "run_id", comparator: "IN", values: ["abc1", "def2"] }],
  ],
  ["run_id NOT IN ('abc',)", [{ type: "attribute", key: "run_id", comparator: "NOT IN", values: ["abc"] }]],
  // As MLflow, ids with an upper-case letter (or no letter) are dropped from an IN list.
  [
    "run_id in ('ABC', '123', 'a\\'b')",
    [{ type: "attribute", key: "run_id", comparator: "IN", values: ["a'b"] }],
  ],
  ["datasets.digest IN ('d1')", [{ type: "dataset", key: "digest", comparator: "IN", values: ["d1"] }]],
  // MLflow skips AND tokens wherever they stand.
  ["metrics.a > 1 AND", [{ type: "metric", key: "a", comparator: ">", value: 1 }]],
];

describe("parseMlflowRunFilter", () => {
  it.each(valid)("parses %s", (filter, clauses) => {
    expect(parseMlflowRunFilter(filter)).toEqual({ clauses });
  });

  // test_error_filter, test_error_comparison_clauses, test_bad_quotes, test_invalid_clauses.
  it.each([
    ["metric.acc >= 0.94; metrics.rmse < 1", "Search filter contained multiple expression"],
    [
      "m.acc >= 0.94",
      "Invalid entity type 'm'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
    ],
    ["acc >= 0.94", "Invalid attribute key 'acc' specified. Valid keys are '{"],
    ["p.model >= 'LR'", "Invalid entity type 'p'"],
    ["attri.x != 1", "Invalid entity type"],
    ["a.x != 1", "Invalid entity type"],
    ["model >= 'LR'", "Invalid attribute key 'model'"],
    ["metrics.A > 0.1 OR params.B = 'LR'", "Invalid clause(s) in filter string: 'OR'"],
    ["metrics.A > 0.1 NAND params.B = 'LR'", "Invalid clause(s) in filter string: 'NAND'"],
    ["metrics.A > 0.1 AND (params.B = 'LR')", "Invalid clause(s) in filter string: '(params.B = 'LR')'"],
    ["`metrics.A > 0.1", "Invalid clause(s) in filter string: '`'"],
    ["param`.A > 0.1", "Invalid clause(s) in filter string"],
    ["`dummy.A > 0.1", "Invalid clause(s) in filter string"],
    ["dummy`.A > 0.1", "Invalid clause(s) in filter string"],
    ["attribute.start != 1", "Invalid attribute key 'start'"],
    ["attribute.experiment_id != 1", "Invalid attribute key"],
    ["attribute.lifecycle_stage = 'ACTIVE'", "Invalid attribute key"],
    ["attribute.name != 1", "Invalid attribute key"],
    ["attribute.time != 1", "Invalid attribute key"],
    ["attribute._status != 'RUNNING'", "Invalid attribute key"],
    ["attribute.status = true", "Invalid clause(s) in filter string"],
    ["dataset.status = 'true'", "Invalid dataset key 'status'"],
    ["dataset.profile = 'num_rows: 10'", "Invalid dataset key"],
    ["metrics.acc IS NULL", "IS NULL / IS NOT NULL is only supported for tags and params"],
    ["attribute.status IS NULL", "IS NULL / IS NOT NULL is only supported for tags and params"],
    ["metric.model = 'LR'", "Expected numeric value type for metric. Found 'LR'"],
    ["metric.model = '5'", "Expected numeric value type for metric. Found '5'"],
    ["params.acc = 5", "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 5"],
    ["tags.acc = 5", "Expected a quoted string value for tag"],
    ["metrics.acc != metrics.acc", "Expected numeric value type for metric. Found metrics.acc"],
    ["1.0 > metrics.acc", "Invalid comparison clause. Expected 'Identifier' found '1.0'"],
    ["attribute.status = 1", "Expected a quoted string value for attributes. Got value 1"],
    ["params.acc = LR", "value is either not quoted or unidentified quote types used for string value LR"],
    ["tags.acc = LR", "value is either not quoted or unidentified quote types"],
    ["params.acc = `LR`", "value is either not quoted or unidentified quote types"],
    ["params.'acc = LR", "Invalid clause(s) in filter string"],
    ["params.acc = 'LR", "Invalid clause(s) in filter string"],
    ["params.acc = LR'", "Invalid clause(s) in filter string"],
    ["params.acc = \"LR'", "Invalid clause(s) in filter string"],
    ["tags.acc = = 'LR'", "Invalid clause(s) in filter string"],
    ["attribute.status IS 'RUNNING'", "Invalid clause(s) in filter string"],
    ["params.acc LR !=", "Invalid clause(s) in filter string: 'params.acc', 'LR', '!='"],
    ["params.acc LR", "Invalid clause(s) in filter string"],
    ["metric.acc !=", "Invalid clause(s) in filter string"],
    ["acc != 1.0", "Invalid attribute key"],
    ["foo is null", "Invalid attribute key 'foo'"],
    ["1=1", "Expected 'Identifier' found '1'"],
    ["1==2", "Expected 'Identifier' found '1'"],
    [
      "attributes.status IN ('a')",
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    ],
    ["params.a IN ('a')", "Expected a quoted string value for parameter (e.g. 'my-value'). Got value ('a')"],
    ["run_id IN ()", "expected a non-empty list of string values, but got empty list"],
    ["run_id IN ('a' 'b')", "but got ill-formed list."],
    ['run_id IN ("a")', "but got ill-formed list."],
    ["run_id IN ('a', 1)", "but got different type in list: ('a', 1)"],
    ["run_id = ('a')", "Invalid comparator '=' for a list of values"],
    [
      "attribute.start_time = 'x'",
      "Expected numeric value type for numeric attribute: start_time. Found 'x'",
    ],
  ])("refuses %s", (filter, message) => {
    expect(errorOf(filter)).toContain(message);
  });

  // test_bad_comparators: MLflow rejects these when filtering; Labtrack already when parsing.
  it.each([
    ["metrics", ["~", "~=", "LIKE", "<>", "=="], "abc", "1.0"],
    ["params", [">", "<", ">=", "<=", "~", "NOT LIKE"], "abc", "'my-param-value'"],
    ["tags", [">", "<", ">=", "<=", "~"], "abc", "'my-tag-value'"],
    ["attributes", [">", "<", ">=", "<=", "~"], "status", "'my-tag-value'"],
    ["attributes", ["LIKE", "ILIKE"], "start_time", "1234"],
    ["datasets", [">", "<", ">=", "<=", "~"], "name", "'my-dataset-name'"],
  ] as const)("refuses bad comparators on %s.%s", (entity, comparators, key, value) => {
    for (const comparator of comparators) {
      expect(errorOf(`${entity}.${key} ${comparator} ${value}`)).toMatch(
        /^Invalid comparator '.+' not one of '\{/u,
      );
    }
  });

  it("names the valid comparators in the error", () => {
    expect(errorOf("metrics.a ~ 1")).toBe(
      "Invalid comparator '~' not one of '{'!=', '<', '<=', '=', '>', '>='}'",
    );
  });
});
