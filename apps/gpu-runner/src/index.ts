export { RUNNER_VERSION, type RunnerAgent, startRunnerAgent } from "./agent/runner-agent.ts";
export {
  type BackendChoice,
  backendChoices,
  parseBackendChoice,
  selectBestBackend,
} from "./backends/select-backend.ts";
export { type RunnerConfig, readRunnerConfig } from "./env.ts";
