import sharp from "sharp";
import type { RandomSource } from "./seeded-random.ts";

/** An image decoded to `size`×`size` RGB, one byte per channel, row-major (HWC). */
export interface DecodedImage {
  pixels: Uint8Array;
  size: number;
}

export type DecodeResult = { ok: true; image: DecodedImage } | { ok: false; reason: string };

/** Decodes and resizes (stretching, as Keras' image_dataset_from_directory does) to a square RGB image. */
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

export interface AugmentationSettings {
  horizontalFlip: boolean;
  verticalFlip: boolean;
  rotationDegrees: number;
  zoom: number;
  brightness: number;
  contrast: number;
}

const between = (random: RandomSource, low: number, high: number) => low + (high - low) * random();

/**
 * A randomly altered copy of a decoded image: flips, a rotation (corners filled black), a zoom-in
 * crop, and brightness/contrast scaling. All draws come from `random`, so a seeded source
 * reproduces the same augmentation.
 */
export async function augmentImage(
  image: DecodedImage,
  settings: AugmentationSettings,
  random: RandomSource,
): Promise<DecodedImage> {
  const { size } = image;
  const mirrorX = settings.horizontalFlip && random() < 0.5;
  const mirrorY = settings.verticalFlip && random() < 0.5;
  const angle = between(random, -settings.rotationDegrees, settings.rotationDegrees);
  const cropFraction = 1 - between(random, 0, settings.zoom);
  const cropX = random();
  const cropY = random();
  const brightness = 1 + between(random, -settings.brightness, settings.brightness);
  const contrast = 1 + between(random, -settings.contrast, settings.contrast);

  let pipeline = sharp(image.pixels, { raw: { width: size, height: size, channels: 3 } });
  if (mirrorX) pipeline = pipeline.flop();
  if (mirrorY) pipeline = pipeline.flip();
  let canvas = size;
  if (Math.abs(angle) >= 0.5) {
    pipeline = pipeline.rotate(angle, { background: { r: 0, g: 0, b: 0 } });
    const radians = (Math.abs(angle) * Math.PI) / 180;
    canvas = Math.round(size * (Math.cos(radians) + Math.sin(radians)));
  }
  // Crop inside the original square (centred in the rotated canvas), then scale back up.
  const crop = Math.max(1, Math.round(size * cropFraction));
  const margin = Math.floor((canvas - size) / 2);
  const left = Math.min(canvas - crop, margin + Math.floor(cropX * (size - crop + 1)));
  const top = Math.min(canvas - crop, margin + Math.floor(cropY * (size - crop + 1)));
  if (crop !== canvas) {
    // Rotation changes the canvas, so the crop must see the rotated image: materialise it first.
    if (canvas !== size) {
      const rotated = await pipeline.raw().toBuffer({ resolveWithObject: true });
      pipeline = sharp(rotated.data, {
        raw: { width: rotated.info.width, height: rotated.info.height, channels: 3 },
      });
    }
    pipeline = pipeline.extract({ left, top, width: crop, height: crop });
  }
  const data = await pipeline
    .resize(size, size, { fit: "fill" })
    .linear(contrast * brightness, 128 * (1 - contrast) * brightness)
    .removeAlpha()
    .raw()
    .toBuffer();
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), size };
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
