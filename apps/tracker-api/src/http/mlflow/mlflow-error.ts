/** MLflow's error codes (databricks.proto ErrorCode) that this server answers, with their HTTP status. */
export const MLFLOW_ERROR_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_STATE: 400,
  BAD_REQUEST: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  REQUEST_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
} as const;
export type MlflowErrorCode = keyof typeof MLFLOW_ERROR_STATUS;

/** An error answered as MLflow does: `{"error_code": <code>, "message": <text>}` with the code's status. */
export class MlflowError extends Error {
  readonly code: MlflowErrorCode;

  constructor(code: MlflowErrorCode, message: string) {
    super(message);
    this.name = "MlflowError";
    this.code = code;
  }

  get status(): number {
    return MLFLOW_ERROR_STATUS[this.code];
  }
}

export const invalidParameter = (message: string) => new MlflowError("INVALID_PARAMETER_VALUE", message);
export const doesNotExist = (message: string) => new MlflowError("RESOURCE_DOES_NOT_EXIST", message);
