import { S3Client } from "@aws-sdk/client-s3";

/** Where and as whom to reach S3; read from the environment by each app's env.ts. */
export interface S3Settings {
  /** An S3-compatible server (MinIO, …); absent: AWS itself. Path-style addressing when set. */
  endpoint?: string | undefined;
  region: string;
  /** Both or neither; neither: the SDK's own credential chain (instance role, profile, …). */
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
}

export function createS3Client(settings: S3Settings): S3Client {
  const { accessKeyId, secretAccessKey, sessionToken } = settings;
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint, forcePathStyle: true }),
    ...(accessKeyId !== undefined &&
      secretAccessKey !== undefined && {
        credentials: { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && { sessionToken }) },
      }),
    // Labtrack hashes every blob with sha256 itself; the SDK's default CRC trailers (aws-chunked
    // bodies) are not understood by every S3-compatible server, so they are sent only where required.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
