import sharp from "sharp";

/** An image decoded to `size`×`size` RGB, one byte per channel, row-major (HWC). */
export interface DecodedImage {
  pixels: Uint8Array;
  size: number;
}

export type DecodeResult = { ok: true; image: DecodedImage } | { ok: false; reason: string };

/**
 * Decodes and resizes (stretching, as Keras' image_dataset_from_directory does) to a square RGB
 * image. Training and inference both go through here, so a served model sees exactly what it
 * was trained on.
 */
export async function decodeImage(input: string | Buffer, size: number): Promise<DecodeResult> {
  try {
    const { data, info } = await sharp(input, { failOn: "error" })
      .removeAlpha()
      .toColourspace("srgb")
      .resize(size, size, { fit: "fill" })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== size * size * 3) {
      return { ok: false, reason: `unexpected decoded layout (${info.channels} channels)` };
    }
    return { ok: true, image: { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), size } };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Packs images into one float batch scaled to [0, 1] (the backbones' expected input). */
export function toFloatBatch(images: readonly DecodedImage[]): Float32Array {
  const first = images[0];
  if (!first) return new Float32Array(0);
  const perImage = first.size * first.size * 3;
  const out = new Float32Array(images.length * perImage);
  images.forEach((image, i) => {
    const offset = i * perImage;
    const { pixels } = image;
    for (let j = 0; j < perImage; j++) out[offset + j] = (pixels[j] ?? 0) / 255;
  });
  return out;
}
