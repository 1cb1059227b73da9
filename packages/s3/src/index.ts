export { createS3Client, type S3Settings } from "./s3-client.ts";
export { formatS3Url, parseS3Url, S3_URL_PREFIX, type S3Location } from "./s3-location.ts";
export { downloadS3Object, listS3Objects, type S3ObjectEntry } from "./s3-objects.ts";
