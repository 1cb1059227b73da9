export {
  type BackendChoice,
  backendChoices,
  parseBackendChoice,
  selectBestBackend,
} from "./backends/select-backend.ts";
