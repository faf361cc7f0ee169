// Personal access tokens and bots in the UI's settings: made (the secret
// shown once), used by a script, listed, and revoked — after which the
// script is refused.
import { expect, test } from "@playwright/test";
import { closePages, say, signUp } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

test("a token made in Settings works for a script until it is revoked there", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    await say(alice, "for the dashboard");
    await expect(alice.locator(".message.pending")).toHaveCount(0);
    await alice.getByRole("button", { name: "Settings" }).click();
    const settings = alice.getByRole("complementary", { name: "Settings" });
    await settings.getByLabel("Token name").fill("dashboard");
    await settings.getByLabel("Read-only").check();
    await settings.getByRole("button", { name: "Create token" }).click();
    const secret = await settings.getByLabel("Token secret").inputValue();
    expect(secret).toMatch(/^cfb_[0-9a-f]{64}$/);
    const row = settings.locator(".token", { hasText: "dashboard" });
    await expect(row).toContainText("read-only");

    // A script with it reads, and cannot write.
    const history = await fetch(`${server.url}/api/rooms/general/messages`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(history.status).toBe(200);
    expect(JSON.stringify(await history.json())).toContain("for the dashboard");
    const write = await fetch(`${server.url}/api/rooms/general/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify({ body: "nope" }),
    });
    expect(write.status).toBe(403);

    // Shown once: after "Done" (or reopening), only its prefix is left.
    await settings.getByRole("button", { name: "Done" }).click();
    await expect(settings.getByLabel("Token secret")).toHaveCount(0);
    await expect(row.locator("code")).toHaveText(`${secret.slice(0, 8)}…`);

    await settings.getByRole("button", { name: "Revoke dashboard" }).click();
    await expect(settings.locator(".token", { hasText: "dashboard" })).toHaveCount(0);
    const refused = await fetch(`${server.url}/api/rooms/general/messages`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(refused.status).toBe(401);

    // A bot, and a token for it that posts as the bot.
    await settings.getByLabel("New bot's name").fill("deploybot");
    await settings.getByRole("button", { name: "Create bot" }).click();
    await expect(settings.getByRole("region", { name: "Bots" })).toContainText("deploybot");
    await settings.getByLabel("Token name").fill("deploys");
    await settings.getByLabel("For").selectOption("deploybot");
    await settings.getByRole("button", { name: "Create token" }).click();
    const botSecret = await settings.getByLabel("Token secret").inputValue();
    const posted = await fetch(`${server.url}/api/rooms/general/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${botSecret}`, "content-type": "application/json" },
      body: JSON.stringify({ body: "deployed v2" }),
    });
    expect(posted.status).toBe(201);
    await expect(alice.locator(".message-list")).toContainText("deployed v2");
    await expect(alice.locator(".message", { hasText: "deployed v2" })).toContainText("deploybot");
  } finally {
    await server.dispose();
  }
});
