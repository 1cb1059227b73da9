/**
 * Before `pnpm test`: the dashboard's end-to-end tests drive Debian's Chromium at /usr/bin/chromium
 * (never a browser downloaded by a test tool). Installs it with apt-get when this runs as root on a
 * Debian-like system; elsewhere it says how, and the end-to-end tests fail with the same advice.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";

if (!existsSync(CHROMIUM)) {
  const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (canInstall) {
    process.stdout.write("Installing Debian's chromium for the dashboard's end-to-end tests…\n");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env });
  } else {
    process.stderr.write(
      `${CHROMIUM} is missing: the dashboard's end-to-end tests need it (on Debian: sudo apt-get install chromium).\n`,
    );
  }
}
