import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type MlflowExperimentView,
  matchesMlflowExperiment,
  parseMlflowExperimentFilter,
} from "./mlflow-experiment-filter.ts";
import { compareMlflowExperiments, parseMlflowExperimentOrderBy } from "./mlflow-experiment-order.ts";
import { MlflowFilterError } from "./mlflow-filter-error.ts";

function experiment(
  overrides: Partial<MlflowExperimentView> & { experimentId: string },
): MlflowExperimentView {
  return {
    name: `exp-${overrides.experimentId}`,
    creationTime: Number(overrides.experimentId) * 10,
    lastUpdateTime: Number(overrides.experimentId) * 10,
    lifecycleStage: "active",
    tags: {},
    ...overrides,
  };
}

const experiments = [
  experiment({ experimentId: "0", name: "Default", tags: {} }),
  experiment({ experimentId: "1", name: "a", tags: { key: "value" } }),
  experiment({ experimentId: "2", name: "ab", tags: { key: "vaLue", other: "x" } }),
  experiment({ experimentId: "10", name: "Abc", lastUpdateTime: null, tags: { "k e y": "v" } }),
];

function matching(filter: string): string[] {
  const parsed = parseMlflowExperimentFilter(filter);
  return experiments.filter((e) => matchesMlflowExperiment(parsed, e)).map((e) => e.experimentId);
}

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof MlflowFilterError) return error.message;
    throw error;
  }
  throw new Error("expected an MlflowFilterError");
}

describe("parseMlflowExperimentFilter / matchesMlflowExperiment", () => {
  it.each([
    ["", ["0", "1", "2", "10"]],
    ["name = 'a'", ["1"]],
    ['attribute.name = "a"', ["1"]],
    ["name != 'a'", ["0", "2", "10"]],
    ["name LIKE 'a%'", ["1", "2"]],
    ["name ILIKE 'a%'", ["1", "2", "10"]],
    ["name like '%b_'", ["10"]],
    ["creation_time > 10", ["2", "10"]],
    ["creation_time >= 10 AND creation_time < 100", ["1", "2"]],
    ["last_update_time > 0", ["1", "2"]],
    ["tags.key = 'value'", ["1"]],
    ["tags.key != 'value'", ["2"]],
    ["tag.key ILIKE 'VALUE'", ["1", "2"]],
    ["tags.`k e y` = 'v'", ["10"]],
    ["tags.\"k e y\" LIKE '%'", ["10"]],
    ["name LIKE 'a%' AND tags.other = 'x'", ["2"]],
  ])("%s matches %j", (filter, expected) => {
    expect(matching(filter)).toEqual(expected);
  });

  it("parses clauses with canonical types", () => {
    expect(parseMlflowExperimentFilter("name = 'x' AND tags.t LIKE 'y%' AND creation_time <= 5")).toEqual({
      clauses: [
        { type: "attribute", key: "name", comparator: "=", value: "x" },
        { type: "tag", key: "t", comparator: "LIKE", value: "y%" },
        { type: "attribute", key: "creation_time", comparator: "<=", value: 5 },
      ],
    });
  });

  it.each([
    [
      "attributes.name = 'x'",
      "Invalid entity type 'attributes'. Valid entity types are ('attribute', 'tag', 'tags')",
    ],
    ["metrics.a > 1", "Invalid entity type 'metrics'"],
    ["`tags`.a = 'x'", "Invalid entity type '`tags`'"],
    [
      "foo = 'x'",
      "Invalid attribute key 'foo' specified. Valid keys are '{'creation_time', 'last_update_time', 'name'}'",
    ],
    ["experiment_id = '1'", "Invalid attribute key 'experiment_id'"],
    ["name > 'x'", "Invalid comparator '>' not one of '{'!=', '=', 'ILIKE', 'LIKE'}'"],
    ["creation_time LIKE 5", "Invalid comparator 'LIKE'"],
    ["tags.a < 'x'", "Invalid comparator '<'"],
    ["name = 1", "Expected a quoted string value for attributes. Got value 1"],
    ["name = x", "Parameter value is either not quoted or unidentified quote types used for string value x"],
    ["tags.a = 1", "Expected a quoted string value for tag (e.g. 'my-value'). Got value 1"],
    ["creation_time = 'x'", "Expected numeric value type for numeric attribute: creation_time. Found 'x'"],
    [
      "name IN ('a', 'b')",
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    ],
    ["name = 'a' OR name = 'b'", "Invalid clause(s) in filter string: OR"],
    ["name = 'a'; name = 'b'", "Search filter contained multiple expression"],
    ["tags.a IS NULL", "Invalid comparator 'IS NULL'"],
  ])("refuses %s", (filter, message) => {
    expect(errorOf(() => parseMlflowExperimentFilter(filter))).toContain(message);
  });

  it("a filter on an experiment's own name and tags matches it", () => {
    const text = fc.string({ maxLength: 8 }).filter((v) => !v.includes("'") && !v.endsWith("\\"));
    const key = fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !k.includes("`"));
    fc.assert(
      fc.property(text, fc.dictionary(key, text, { maxKeys: 3 }), fc.nat(), (name, tags, time) => {
        const e = experiment({ experimentId: "5", name, tags, creationTime: time });
        const clauses = [`name = '${name}'`, `creation_time = ${time}`];
        for (const [k, v] of Object.entries(tags)) clauses.push(`tags.\`${k}\` = '${v}'`);
        expect(matchesMlflowExperiment(parseMlflowExperimentFilter(clauses.join(" and ")), e)).toBe(true);
      }),
    );
  });
});

describe("compareMlflowExperiments", () => {
  const ids = (orderBy: string[]) =>
    [...experiments]
      .sort(compareMlflowExperiments(parseMlflowExperimentOrderBy(orderBy)))
      .map((e) => e.experimentId);

  it.each([
    [[], ["10", "2", "1", "0"]],
    [["name"], ["10", "0", "1", "2"]],
    [["name DESC"], ["2", "1", "0", "10"]],
    [["creation_time ASC"], ["0", "1", "2", "10"]],
    [["attribute.experiment_id"], ["0", "1", "2", "10"]],
    [["experiment_id DESC"], ["10", "2", "1", "0"]],
    // Unset last in both directions.
    [["last_update_time DESC"], ["2", "1", "0", "10"]],
    [["last_update_time"], ["0", "1", "2", "10"]],
  ])("order_by %j gives %j", (orderBy, expected) => {
    expect(ids(orderBy)).toEqual(expected);
  });

  it("breaks ties by experiment id descending", () => {
    const same = [experiment({ experimentId: "3", name: "x" }), experiment({ experimentId: "4", name: "x" })];
    expect(
      [...same]
        .sort(compareMlflowExperiments(parseMlflowExperimentOrderBy(["name"])))
        .map((e) => e.experimentId),
    ).toEqual(["4", "3"]);
  });

  it.each([
    ["tags.a", "Invalid order_by entity: tag"],
    ["foo", "Invalid attribute key 'foo'"],
    ["attributes.name", "Invalid entity type 'attributes'"],
    ["name ASCENDING", "Invalid ordering key in order_by clause 'name ASCENDING'."],
    ["name DESC x", "Invalid order_by clause 'name DESC x'. Could not be parsed."],
  ])("refuses order_by %j", (orderBy, message) => {
    expect(errorOf(() => parseMlflowExperimentOrderBy([orderBy]))).toContain(message);
  });
});
