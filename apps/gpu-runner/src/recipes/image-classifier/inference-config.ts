export { type InferenceConfig, inferenceConfig } from "@labtrack/inference";
