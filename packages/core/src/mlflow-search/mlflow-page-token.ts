import { MlflowFilterError } from "./mlflow-filter-error.ts";

/**
 * MLflow's page tokens: base64 of Python's `json.dumps({"offset": n})`, i.e. of `{"offset": 20}`
 * with its space, so that a token from Labtrack is byte-for-byte the one MLflow would send.
 */
export function encodeMlflowPageToken(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`page token offset must be a non-negative integer, got ${offset}`);
  }
  return btoa(`{"offset": ${offset}}`);
}

function decodeBase64(token: string): string {
  // Python's b64decode (validate=False) skips characters outside the alphabet, then needs padding.
  const cleaned = token.replace(/[^A-Za-z0-9+/=]/gu, "");
  if (cleaned.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/u.test(cleaned)) {
    throw new MlflowFilterError("Invalid page token, could not base64-decode");
  }
  const binary = atob(cleaned);
  const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

function parseOffset(raw: unknown): number | null {
  if (typeof raw === "number") return Number.isSafeInteger(raw) && raw >= 0 ? raw : null;
  if (typeof raw === "string" && /^\s*\+?\d+\s*$/u.test(raw)) {
    const value = Number(raw.trim());
    return Number.isSafeInteger(value) ? value : null;
  }
  return null;
}

/**
 * The offset a page token stands for; no token (undefined or empty) is offset 0. A malformed
 * token is an MlflowFilterError with MLflow's message.
 */
export function decodeMlflowPageToken(token: string | null | undefined): number {
  if (!token) return 0;
  const decoded = decodeBase64(token);
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw new MlflowFilterError(`Invalid page token, decoded value=${decoded}`);
  }
  const offset =
    parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>).offset
      : undefined;
  if (!offset) throw new MlflowFilterError(`Invalid page token, parsed value=${decoded}`);
  const value = parseOffset(offset);
  if (value === null) throw new MlflowFilterError(`Invalid page token, not stringable ${String(offset)}`);
  return value;
}
