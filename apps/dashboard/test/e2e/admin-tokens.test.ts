import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, screenshot, watchPageErrors } from "./browser.ts";
import { startTrackerServer, type TrackerServer } from "./tracker-server.ts";

describe("administration: tokens and the empty Runners page", () => {
  let server: TrackerServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let secret = "";

  beforeAll(async () => {
    server = await startTrackerServer();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript((token) => localStorage.setItem("labtrack.token", token), server.token);
    page = await context.newPage();
    errors = watchPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("says on the empty Runners page how to add a runner", async () => {
    await page.goto(`${server.url}/runners`);
    await page.getByText("No runner has registered yet").waitFor();
    const howto = await page.getByTestId("runner-howto").textContent();
    expect(howto).toContain(`LABTRACK_URL=${server.url}`);
    expect(howto).toContain("pnpm --filter @labtrack/gpu-runner start -- --name gpu-host-1");
  });

  it("makes a limited runner token, shows it once with the runner command, and the token works", async () => {
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Tokens" }).click();
    await page.getByRole("heading", { name: /Tokens/ }).waitFor();
    const form = page.getByRole("form", { name: "Create a token" });
    await form.getByLabel("Name").fill("gpu-host-7");
    await form.getByLabel("Scope").selectOption("runner");
    await form.getByLabel(/Projects/).fill("flowers, birds:read");
    await form.getByRole("button", { name: "Create token" }).click();
    secret = (await page.getByTestId("new-token").textContent()) ?? "";
    expect(secret.length).toBeGreaterThan(20);
    const command = await page.getByTestId("runner-command").textContent();
    expect(command).toContain(`LABTRACK_TOKEN=${secret}`);
    expect(command).toContain("--name gpu-host-7");
    await screenshot(page, "40-token-created");
    // The secret is a working runner token.
    const whoami = await fetch(`${server.url}/trpc/tokens.whoami`, {
      headers: { authorization: `Bearer ${secret}` },
    }).then((r) => r.json() as Promise<{ result: { data: { name: string; scope: string } } }>);
    expect(whoami.result.data).toMatchObject({ name: "gpu-host-7", scope: "runner" });
    await page.getByRole("button", { name: "Done" }).click();
    // Listed with scope, project limits and last use; the secret is not shown again.
    const row = page.getByTestId("tokens-table").getByRole("row", { name: /gpu-host-7/ });
    await row.getByText("flowers (write), birds (read)").waitFor();
    await row.getByText("runner").waitFor();
    await page.reload();
    await row.waitFor();
    expect(await row.getByText("never").count()).toBe(0); // whoami above used it
    expect(await page.getByText(secret).count()).toBe(0);
  });

  it("revokes after a confirm, and the token stops working", async () => {
    const row = page.getByTestId("tokens-table").getByRole("row", { name: /gpu-host-7/ });
    await row.getByRole("button", { name: "Revoke gpu-host-7" }).click();
    await row.getByRole("button", { name: "Keep" }).click();
    await row.getByRole("button", { name: "Revoke gpu-host-7" }).click();
    await row.getByRole("button", { name: "Yes, revoke" }).click();
    await row.getByText(/^revoked/).waitFor();
    await screenshot(page, "41-tokens-list");
    const after = await fetch(`${server.url}/trpc/tokens.whoami`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(after.status).toBe(401);
    expect(errors).toEqual([]);
  });

  it("shows the Tokens section to admins only", async () => {
    const made = await fetch(`${server.url}/trpc/tokens.create`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${server.token}` },
      body: JSON.stringify({ name: "alice", scope: "user" }),
    }).then((r) => r.json() as Promise<{ result: { data: { token: string } } }>);
    const context = await browser.newContext();
    await context.addInitScript(
      (token) => localStorage.setItem("labtrack.token", token),
      made.result.data.token,
    );
    const userPage = await context.newPage();
    await userPage.goto(`${server.url}/runners`);
    await userPage
      .getByRole("navigation", { name: "Sections" })
      .getByRole("link", { name: "Queue" })
      .waitFor();
    expect(
      await userPage
        .getByRole("navigation", { name: "Sections" })
        .getByRole("link", { name: "Tokens" })
        .count(),
    ).toBe(0);
    await context.close();
  });
});
