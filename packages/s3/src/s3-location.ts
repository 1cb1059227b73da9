/** A bucket and a key prefix that is empty or ends in `/`. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

export const S3_URL_PREFIX = "s3://";

/** Bucket names as S3 allows them for path-style and virtual-host addressing alike. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * `s3://<bucket>[/<prefix>]`, checked; throws with a message starting with `field` when the text
 * is not such a URL. Slashes around the prefix are trimmed, so `s3://b/x`, `s3://b/x/` and
 * `s3://b//x` all name the objects under `x/`.
 */
export function parseS3Url(text: string, field: string): S3Location {
  if (!text.startsWith(S3_URL_PREFIX)) throw new Error(`${field}: '${text}' does not start with s3://`);
  const rest = text.slice(S3_URL_PREFIX.length);
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (!BUCKET_NAME.test(bucket)) {
    throw new Error(
      `${field}: '${bucket}' is not a bucket name (3-63 characters: lowercase letters, digits, '.', '-')`,
    );
  }
  const segments = (slash < 0 ? "" : rest.slice(slash + 1)).split("/").filter((s) => s !== "");
  if (segments.some((s) => s === "." || s === "..")) {
    throw new Error(`${field}: '${text}': the prefix must not contain '.' or '..' segments`);
  }
  return { bucket, prefix: segments.length > 0 ? `${segments.join("/")}/` : "" };
}

export const formatS3Url = (location: S3Location, key = ""): string =>
  `${S3_URL_PREFIX}${location.bucket}/${location.prefix}${key}`;
