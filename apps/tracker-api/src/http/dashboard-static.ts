import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { ExtraRoute } from "../server.ts";
import { sendError } from "./respond.ts";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Vite puts content-hashed files under `assets/`: their name changes whenever their bytes do. */
const IMMUTABLE = "public, max-age=31536000, immutable";

async function fileSize(file: string): Promise<number | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

/**
 * Serves the built dashboard (`apps/dashboard/dist`) at `/`. Paths without a file extension that
 * match no file get `index.html`, so client routes such as `/login` or `/runs/<id>` load the app.
 * `/trpc` and `/api` are never answered here.
 */
export function dashboardStatic(distDir: string): ExtraRoute {
  const root = path.resolve(distDir);
  return async (req, res, url) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/trpc")) return false;
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname);
    } catch {
      sendError(res, 400, "BAD_REQUEST", "path: is not valid percent-encoding");
      return true;
    }
    const requested = path.resolve(root, `.${path.posix.normalize(relative)}`);
    if (requested !== root && !requested.startsWith(`${root}${path.sep}`)) return false;

    let file = requested;
    let size = relative.endsWith("/") ? null : await fileSize(file);
    if (size === null) {
      if (path.extname(relative) !== "") return false;
      file = path.join(root, "index.html");
      size = await fileSize(file);
      if (size === null) {
        sendError(
          res,
          503,
          "DASHBOARD_NOT_BUILT",
          `the dashboard is not built: no ${file}; run \`pnpm --filter @labtrack/dashboard build\``,
        );
        return true;
      }
    }
    const isHashedAsset = path.relative(root, file).startsWith(`assets${path.sep}`);
    res.writeHead(200, {
      "content-type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
      "content-length": size,
      "cache-control": isHashedAsset ? IMMUTABLE : "no-cache",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") {
      res.end();
      return true;
    }
    createReadStream(file)
      .on("error", (error) => res.destroy(error))
      .pipe(res);
    return true;
  };
}
