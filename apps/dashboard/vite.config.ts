import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** `pnpm dev` serves the app here and forwards the API (HTTP and WebSocket) to a local tracker-api. */
const apiTarget = process.env.LABTRACK_API_URL ?? "http://127.0.0.1:8420";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/trpc": { target: apiTarget, ws: true, changeOrigin: true },
      "/api": { target: apiTarget, changeOrigin: true },
    },
  },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, target: "es2022" },
});
