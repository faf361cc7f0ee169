// Pins: a member pins a message from its actions; another member sees it
// marked at once and finds it in the room's pinned list, which opens the
// room at it. The list is checked with axe at 1280 px and 360 px.
import { expect, test } from "@playwright/test";
import { axeClean, closePages, say, signUp } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

test("pin a message and see it in the pinned list on another screen", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    await say(alice, "the runbook lives at /docs/runbook");
    await say(alice, "and something else");
    const row = alice.locator(".message", { hasText: "the runbook" });
    await row.focus();
    await row.getByRole("button", { name: "Pin", exact: true }).click();

    // Bob sees it marked without a reload, and in the pinned list.
    const bobRow = bob.locator(".message", { hasText: "the runbook" });
    await expect(bobRow).toContainText("📌 Pinned");
    await bob.getByRole("toolbar", { name: "Room" }).getByRole("button", { name: "Pinned" }).click();
    const panel = bob.getByRole("complementary", { name: "Pinned messages" });
    await expect(panel.locator(".pin-item")).toHaveCount(1);
    await expect(panel.locator(".pin-item")).toContainText("the runbook lives at /docs/runbook");
    await axeClean(bob, ".pins-panel");

    // Unpinned by Alice, it leaves Bob's list as it happens.
    await row.focus();
    await row.getByRole("button", { name: "Unpin" }).click();
    await expect(panel.locator(".pin-item")).toHaveCount(0);
    await expect(bobRow).not.toContainText("📌 Pinned");
  } finally {
    await server.dispose();
  }
});
