export {
  interpretOutput,
  type LoadedClassifier,
  loadClassifier,
  type Prediction,
  readInferenceConfig,
  UndecodableImageError,
} from "./classifier.ts";
export {
  type EmbeddingModelConfig,
  embeddingModelConfig,
  type ServedModelConfig,
  servedModelConfig,
} from "./embedding-config.ts";
export {
  type LoadedEmbeddingModel,
  loadEmbeddingModel,
  readEmbeddingModelConfig,
} from "./embedding-model.ts";
export { type DecodedImage, type DecodeResult, decodeImage, toFloatBatch } from "./image-preprocessing.ts";
export { ensureInferenceBackend } from "./inference-backend.ts";
export { type InferenceConfig, inferenceConfig, MODEL_INPUT_SIZE_MAX } from "./inference-config.ts";
export { loadModelFromDir, readModelArtifacts, saveModelToDir } from "./model-files.ts";
