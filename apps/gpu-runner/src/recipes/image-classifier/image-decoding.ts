import type { DecodedImage } from "@labtrack/inference";
import sharp from "sharp";
import type { RandomSource } from "./seeded-random.ts";

// Decoding is shared with inference (@labtrack/inference), so a served model sees what it trained on.
export { type DecodedImage, type DecodeResult, decodeImage, toFloatBatch } from "@labtrack/inference";

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
