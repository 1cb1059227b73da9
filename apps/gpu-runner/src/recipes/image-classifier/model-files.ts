/** tfjs model folders on disk: shared with the server's `/predict` through @labtrack/inference. */
export { loadModelFromDir, readModelArtifacts, saveModelToDir } from "@labtrack/inference";
