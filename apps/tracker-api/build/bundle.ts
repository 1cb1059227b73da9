/**
 * `pnpm build`: src/main.ts as plain JavaScript in dist/, so `pnpm start` runs the API on node
 * alone. Running through tsx costs about 100 MB more (its launcher process, its loader thread
 * and an esbuild service; README "Memory"), a third of what the embedded API needs.
 *
 * The workspace's own packages (TypeScript sources) are bundled; every npm package stays an
 * import of the file it resolves to here, so packages with files of their own (PGlite's WASM,
 * tfjs, sharp) load as they always do, and only when the code asks for them (a chunk per
 * dynamic import: tfjs is still loaded by the first /predict, not at start).
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

const WORKSPACE_SCOPE = "@labtrack/";

const DIST_DIR = fileURLToPath(new URL("../dist", import.meta.url));

/**
 * npm packages resolved from the file that imports them (pnpm keeps each package's own deps beside
 * it), imported by a path relative to dist/, so a moved checkout still runs.
 */
const npmPackagesInPlace = (outdir: string): Plugin => ({
  name: "npm-packages-in-place",
  setup(bundle) {
    bundle.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith("node:") || args.path.startsWith(WORKSPACE_SCOPE)) return undefined;
      if (args.pluginData === "in-place") return undefined;
      const resolved = await bundle.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "in-place",
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      // A builtin (`fs`, `ws`'s optional peers are not builtins) stays as written.
      if (resolved.external) return { path: args.path, external: true };
      const relative = path.relative(outdir, resolved.path).split(path.sep).join("/");
      return { path: relative.startsWith(".") ? relative : `./${relative}`, external: true };
    });
  },
});

export async function bundleApi(outdir = DIST_DIR): Promise<void> {
  // Chunk names carry a hash: what an earlier build left would only pile up.
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { main: fileURLToPath(new URL("../src/main.ts", import.meta.url)) },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
    plugins: [npmPackagesInPlace(outdir)],
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await bundleApi();
