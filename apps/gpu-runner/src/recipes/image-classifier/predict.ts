/** Inference lives in @labtrack/inference so the tracker-api's `/predict` serves exactly this code. */
export { type LoadedClassifier, loadClassifier, type Prediction } from "@labtrack/inference";
