/**
 * Requests exactly as MLflow's Python client sends them (mlflow/utils/rest_utils.py, via the
 * `requests` library): GET fields as a query string (lists as repeated keys, numbers as text), POST
 * fields as a JSON body made by `json.dumps` of `message_to_json`'s output (snake_case, int64 as
 * numbers, NaN as "NaN"), `Authorization: Bearer <MLFLOW_TRACKING_TOKEN>` or Basic auth with
 * MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD, and the client's User-Agent.
 */
/** A parsed JSON answer, read field by field (`body?.run?.info?.run_id`) as a client would. */
export type WireBody = { readonly [key: string]: WireBody } | undefined;

export interface MlflowAnswer {
  status: number;
  body: WireBody;
}

/** A JSON string in an answer (a test fails at once when it is not one). */
export function textOf(value: WireBody): string {
  if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  return value;
}

/** A JSON list in an answer, as an array. */
export const listOf = (value: WireBody): WireBody[] => (Array.isArray(value) ? (value as WireBody[]) : []);

export interface MlflowPythonClient {
  call(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    endpoint: string,
    fields?: Record<string, unknown>,
  ): Promise<MlflowAnswer>;
  /** `HttpArtifactRepository.log_artifact`: PUT of the file's bytes with its guessed MIME type. */
  putArtifact(path: string, bytes: Buffer, contentType: string): Promise<MlflowAnswer>;
  getArtifact(path: string): Promise<{ status: number; bytes: Buffer }>;
  listArtifacts(path: string): Promise<MlflowAnswer>;
  /** Every request sent, as `METHOD /path[?query]`, for asserting a recorded sequence. */
  readonly sent: string[];
}

/** Python's `json.dumps` separators: `", "` and `": "`. */
function pythonJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /("(?:[^"\\]|\\.)*")|([,:])/g,
    (_match, str: string | undefined, sep: string | undefined) => (str ? str : `${sep} `),
  );
}

function queryString(fields: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      params.append(key, typeof item === "boolean" ? (item ? "True" : "False") : String(item));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function mlflowPythonClient(
  trackingUri: string,
  auth: { token: string } | { username: string; password: string },
  userAgent = "mlflow-python-client/2.19.0",
): MlflowPythonClient {
  const sent: string[] = [];
  const authorization =
    "token" in auth
      ? `Bearer ${auth.token}`
      : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  const baseHeaders = { "User-Agent": userAgent, Authorization: authorization };

  async function answer(response: Response): Promise<MlflowAnswer> {
    const text = await response.text();
    return { status: response.status, body: text === "" ? undefined : (JSON.parse(text) as WireBody) };
  }

  return {
    sent,
    async call(method, endpoint, fields = {}) {
      const path = `/api/2.0/mlflow/${endpoint}`;
      if (method === "GET") {
        const query = queryString(fields);
        sent.push(`GET ${path}${query}`);
        return answer(await fetch(`${trackingUri}${path}${query}`, { headers: baseHeaders }));
      }
      sent.push(`${method} ${path}`);
      return answer(
        await fetch(`${trackingUri}${path}`, {
          method,
          headers: { ...baseHeaders, "Content-Type": "application/json" },
          body: pythonJson(fields),
        }),
      );
    },
    async putArtifact(path, bytes, contentType) {
      const url = `/api/2.0/mlflow-artifacts/artifacts/${path}`;
      sent.push(`PUT ${url}`);
      return answer(
        await fetch(`${trackingUri}${url}`, {
          method: "PUT",
          headers: { ...baseHeaders, "Content-Type": contentType },
          body: new Uint8Array(bytes),
        }),
      );
    },
    async getArtifact(path) {
      const url = `/api/2.0/mlflow-artifacts/artifacts/${path}`;
      sent.push(`GET ${url}`);
      const response = await fetch(`${trackingUri}${url}`, { headers: baseHeaders });
      return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
    },
    async listArtifacts(path) {
      const url = `/api/2.0/mlflow-artifacts/artifacts${queryString({ path })}`;
      sent.push(`GET ${url}`);
      return answer(await fetch(`${trackingUri}${url}`, { headers: baseHeaders }));
    },
  };
}
