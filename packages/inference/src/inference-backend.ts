import * as tf from "@tensorflow/tfjs";

let activation: Promise<string> | null = null;

/**
 * Activates, once per process, a tfjs backend for serving predictions: wasm (fast forward
 * kernels, no native download), else the plain cpu backend. Training processes pick their own
 * backend instead and need not call this. Returns the backend's tfjs name.
 */
export function ensureInferenceBackend(): Promise<string> {
  activation ??= (async () => {
    try {
      await import("@tensorflow/tfjs-backend-wasm");
      if (await tf.setBackend("wasm")) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // fall through to cpu: wasm is a speed-up, not a requirement
    }
    await tf.setBackend("cpu");
    await tf.ready();
    return tf.getBackend();
  })();
  return activation;
}
