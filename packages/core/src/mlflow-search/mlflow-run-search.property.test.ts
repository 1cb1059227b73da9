import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MlflowFilterError } from "./mlflow-filter-error.ts";
import { decodeMlflowPageToken, encodeMlflowPageToken } from "./mlflow-page-token.ts";
import { parseMlflowRunFilter } from "./mlflow-run-filter.ts";
import { matchesMlflowRun } from "./mlflow-run-match.ts";
import { compareMlflowRuns, parseMlflowOrderBy } from "./mlflow-run-order.ts";
import type { MlflowRunView } from "./mlflow-run-view.ts";

// Keys and values MLflow's grammar can spell: a quoted name cannot hold its own quote character, and
// a backslash before the closing quote escapes it (sqlparse's rule, so MLflow's too).
const key = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !/["`']/u.test(k) && !k.endsWith("\\"));
const text = fc.string({ maxLength: 8 }).filter((v) => !v.includes("'") && !v.endsWith("\\"));
const metric = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

const run = fc.record({
  runId: fc.stringMatching(/^[0-9a-f]{32}$/u),
  runName: text,
  status: fc.constantFrom("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"),
  startTime: fc.integer({ min: 0, max: 2 ** 45 }),
  endTime: fc.option(fc.integer({ min: 0, max: 2 ** 45 })),
  artifactUri: text,
  userId: text,
  experimentId: fc.constant("0"),
  lifecycleStage: fc.constantFrom("active" as const, "deleted" as const),
  metrics: fc.dictionary(key, metric, { maxKeys: 4 }),
  params: fc.dictionary(key, text, { maxKeys: 4 }),
  tags: fc.dictionary(key, text, { maxKeys: 4 }),
}) satisfies fc.Arbitrary<MlflowRunView>;

const quoteKey = (k: string) => `\`${k}\``;

/** One `=` clause per value of the run, each spelled as a client would. */
function selfFilter(r: MlflowRunView): string {
  const clauses = [
    `attributes.run_id = '${r.runId}'`,
    `run_name = '${r.runName}'`,
    `attr.status = "${r.status}"`,
    `attributes.start_time = ${r.startTime}`,
    `run.user_id = '${r.userId}'`,
    `artifact_uri = '${r.artifactUri}'`,
    `run_id IN ('${r.runId}', 'feedbeef')`,
  ];
  if (r.endTime !== null) clauses.push(`attributes.end_time <= ${r.endTime}`);
  for (const [k, v] of Object.entries(r.metrics)) {
    if (Number.isFinite(v)) clauses.push(`metrics.${quoteKey(k)} = ${v}`);
  }
  for (const [k, v] of Object.entries(r.params)) clauses.push(`params.${quoteKey(k)} = '${v}'`);
  for (const [k, v] of Object.entries(r.tags)) {
    clauses.push(`tags."${k}" != '${v}x'`);
    clauses.push(`tags.${quoteKey(k)} IS NOT NULL`);
  }
  return clauses.join(" AND ");
}

describe("MLflow run search properties", () => {
  it("a filter made of a run's own values matches that run", () => {
    fc.assert(
      fc.property(run, (r) => {
        expect(matchesMlflowRun(parseMlflowRunFilter(selfFilter(r)), r)).toBe(true);
      }),
    );
  });

  it("a run's own string value is a LIKE pattern that matches it when it has no wildcard", () => {
    fc.assert(
      fc.property(run, key, text, (r, k, v) => {
        fc.pre(!/[%_]/u.test(v));
        const withParam = { ...r, params: { ...r.params, [k]: v } };
        expect(matchesMlflowRun(parseMlflowRunFilter(`params.\`${k}\` LIKE '${v}'`), withParam)).toBe(true);
      }),
    );
  });

  it("`!=` is the complement of `=` for a present key, and both are false for a missing one", () => {
    fc.assert(
      fc.property(run, key, text, finite, (r, k, v, x) => {
        const entities = [
          ["params", r.params, `'${v}'`],
          ["tags", r.tags, `'${v}'`],
          ["metrics", r.metrics, String(x)],
        ] as const;
        for (const [entity, record, literal] of entities) {
          const eq = matchesMlflowRun(parseMlflowRunFilter(`${entity}.\`${k}\` = ${literal}`), r);
          const ne = matchesMlflowRun(parseMlflowRunFilter(`${entity}.\`${k}\` != ${literal}`), r);
          if (Object.hasOwn(record, k)) expect(ne).toBe(!eq);
          else expect([eq, ne]).toEqual([false, false]);
        }
      }),
    );
  });

  const orderClause = fc.oneof(
    fc.constantFrom(
      "attributes.start_time",
      "attributes.end_time",
      "run_name",
      "status",
      "user_id",
      "run_id",
    ),
    key.map((k) => `metrics.\`${k}\``),
    key.map((k) => `params.\`${k}\``),
    key.map((k) => `tags.\`${k}\``),
  );
  const orderBy = fc
    .uniqueArray(orderClause, { maxLength: 3 })
    .chain((clauses) =>
      fc.tuple(...clauses.map((c) => fc.constantFrom(c, `${c} ASC`, `${c} DESC`))).map((cs) => [...cs]),
    );
  const runs = fc.uniqueArray(run, { selector: (r) => r.runId, maxLength: 12 });

  it("the run order is a total order: antisymmetric, and the sort does not depend on input order", () => {
    fc.assert(
      fc.property(runs, orderBy, fc.integer(), (rs, clauses, seed) => {
        const compare = compareMlflowRuns(parseMlflowOrderBy(clauses));
        for (const a of rs) {
          expect(compare(a, a)).toBe(0);
          for (const b of rs) {
            if (a !== b) expect(Math.sign(compare(a, b))).toBe(-Math.sign(compare(b, a)) || 1);
          }
        }
        const shuffled = [...rs].sort(
          (a, b) => ((a.runId.charCodeAt(seed & 31) ^ seed) & 1 ? 1 : -1) || a.runId.localeCompare(b.runId),
        );
        expect([...shuffled].sort(compare)).toEqual([...rs].sort(compare));
      }),
    );
  });

  it("DESC is ASC reversed over distinct present values", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(finite, { maxLength: 10, comparator: "SameValueZero" }),
        run,
        (values, base) => {
          const rs = values.map((x, i) => ({ ...base, runId: `r${i}`, metrics: { x } }));
          const asc = [...rs].sort(compareMlflowRuns(parseMlflowOrderBy(["metrics.x ASC"])));
          const desc = [...rs].sort(compareMlflowRuns(parseMlflowOrderBy(["metrics.x DESC"])));
          expect(desc).toEqual(asc.reverse());
        },
      ),
    );
  });

  it("any text either parses or is refused with an MlflowFilterError (never a crash)", () => {
    const pieces = fc.constantFrom(
      "metrics.a",
      "params.`x y`",
      'tags."t"',
      "run_id",
      "=",
      "!=",
      "<",
      "LIKE",
      "NOT",
      "IN",
      "IS",
      "NULL",
      "AND",
      "OR",
      "(",
      ")",
      ",",
      "'v'",
      '"v"',
      "1.5",
      "-2",
      "`",
      "'",
      ";",
      " ",
      "attributes.start_time",
    );
    const filter = fc.oneof(
      fc.string(),
      fc.array(pieces, { maxLength: 10 }).map((p) => p.join(" ")),
    );
    fc.assert(
      fc.property(filter, (f) => {
        for (const attempt of [
          () => parseMlflowRunFilter(f),
          () => parseMlflowOrderBy([f]),
          () => decodeMlflowPageToken(f),
        ]) {
          try {
            attempt();
          } catch (error) {
            expect(error).toBeInstanceOf(MlflowFilterError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("a page token decodes to the offset it was made from", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (offset) => {
        expect(decodeMlflowPageToken(encodeMlflowPageToken(offset))).toBe(offset);
      }),
    );
  });
});
