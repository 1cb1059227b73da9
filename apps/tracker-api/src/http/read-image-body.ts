import type { IncomingMessage } from "node:http";
import busboy from "busboy";

/** A request body that does not carry one image; the message names what is wrong. */
export class ImageBodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

async function readRaw(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new ImageBodyError(413, `body: larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The named files of a multipart form, each at most `maxBytes`; the first missing one is an error. */
export function readMultipartFiles(
  req: IncomingMessage,
  fields: readonly string[],
  maxBytes: number,
): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: fields.length, fileSize: maxBytes } });
    } catch (error) {
      reject(new ImageBodyError(400, `body: ${(error as Error).message}`));
      return;
    }
    const files = new Map<string, Buffer>();
    let failure: ImageBodyError | null = null;
    parser.on("file", (name, stream) => {
      if (!fields.includes(name) || files.has(name)) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => {
        failure ??= new ImageBodyError(413, `${name}: larger than ${maxBytes} bytes`);
      });
      stream.on("end", () => {
        files.set(name, Buffer.concat(chunks));
      });
    });
    parser.on("error", (error: Error) => reject(new ImageBodyError(400, `body: ${error.message}`)));
    parser.on("close", () => {
      const missing = fields.find((field) => !files.has(field));
      if (failure) reject(failure);
      else if (missing)
        reject(new ImageBodyError(400, `${missing}: the multipart form has no '${missing}' file`));
      else resolve(fields.map((field) => files.get(field) as Buffer));
    });
    req.pipe(parser);
  });
}

/**
 * The image in a request: the raw body when its content-type is `image/*` or
 * `application/octet-stream`, or the `file` field of a `multipart/form-data` form.
 */
export async function readImageBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  let image: Buffer;
  if (type === "multipart/form-data") {
    image = (await readMultipartFiles(req, ["file"], maxBytes))[0] ?? Buffer.alloc(0);
  } else if (type.startsWith("image/") || type === "application/octet-stream") {
    image = await readRaw(req, maxBytes);
  } else {
    throw new ImageBodyError(
      415,
      `content-type: expected image/* or multipart/form-data with a 'file' field, got '${type || "none"}'`,
    );
  }
  if (image.length === 0) throw new ImageBodyError(400, "body: the image is empty");
  return image;
}
