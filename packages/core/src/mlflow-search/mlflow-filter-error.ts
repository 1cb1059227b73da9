/**
 * A filter, order_by clause or page token that MLflow would refuse. The message follows MLflow's own
 * wording (mlflow/utils/search_utils.py) so that clients see the error they expect; the HTTP layer
 * answers it as 400 INVALID_PARAMETER_VALUE.
 */
export class MlflowFilterError extends Error {
  readonly errorCode = "INVALID_PARAMETER_VALUE";

  constructor(message: string) {
    super(message);
    this.name = "MlflowFilterError";
  }
}

/** Python's repr of a list of strings: `['a', 'b']`. */
export function pyList(items: readonly string[]): string {
  return `[${items.map((item) => `'${item}'`).join(", ")}]`;
}

/** Python's repr of a set of strings (sorted here so that messages are stable): `{'a', 'b'}`. */
export function pySet(items: readonly string[]): string {
  return `{${[...items]
    .sort()
    .map((item) => `'${item}'`)
    .join(", ")}}`;
}

/** Python's repr of a tuple of strings: `('a', 'b')`. */
export function pyTuple(items: readonly string[]): string {
  return `(${items.map((item) => `'${item}'`).join(", ")})`;
}
