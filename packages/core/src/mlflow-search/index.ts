export * from "./mlflow-filter-error.ts";
export * from "./mlflow-like.ts";
export * from "./mlflow-page-token.ts";
export * from "./mlflow-run-filter.ts";
export * from "./mlflow-run-match.ts";
export * from "./mlflow-run-order.ts";
export * from "./mlflow-run-view.ts";
