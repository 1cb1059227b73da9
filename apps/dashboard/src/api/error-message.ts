/** The message a person should read: the server's own message for API errors. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "string") return error;
  return "something went wrong";
}

/** True for the API's "missing or invalid bearer token" answer. */
export function isUnauthorized(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("data" in error)) return false;
  const data = (error as { data?: { code?: string } | null }).data;
  return data?.code === "UNAUTHORIZED";
}
