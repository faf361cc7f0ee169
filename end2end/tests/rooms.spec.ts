// Rooms an organization has: the sidebar lists one's own rooms; "Browse
// rooms" finds the public ones by name or topic, with their member counts,
// and joins one. The panel is checked with axe at 1280 px and 360 px.
import { expect, test } from "@playwright/test";
import { axeClean, closePages, say, signUp } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

test("browse the public rooms and join one", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    await alice.getByLabel("New room").fill("design");
    await alice.getByRole("button", { name: "Create" }).click();
    await expect(alice.getByRole("heading", { name: "#design" })).toBeVisible();
    await say(alice, "mockups are up", "#design");

    // Bob is not in #design: it is not in his sidebar, but the directory has it.
    const sidebar = bob.getByRole("navigation", { name: "Rooms" });
    await expect(sidebar.getByRole("link", { name: /design/ })).toHaveCount(0);
    await sidebar.getByRole("button", { name: "Browse rooms" }).click();
    const panel = bob.getByRole("complementary", { name: "Browse rooms" });
    await panel.getByLabel("Find rooms by name or topic").fill("des");
    const item = panel.locator(".room-item", { hasText: "design" });
    await expect(item).toContainText("1 member");
    await expect(panel.locator(".room-item")).toHaveCount(1);
    await axeClean(bob, ".browse-panel");
    await item.getByRole("button", { name: "Join #design" }).click();
    await expect(bob.getByRole("heading", { name: "#design" })).toBeVisible();
    await expect(bob.locator(".message-list")).toContainText("mockups are up");
    await expect(sidebar.getByRole("link", { name: /design/ })).toHaveCount(1);

    // Now it says he is in it, with two members.
    await sidebar.getByRole("button", { name: "Browse rooms" }).click();
    await panel.getByLabel("Find rooms by name or topic").fill("design");
    await expect(panel.locator(".room-item", { hasText: "design" })).toContainText("2 members");
    await expect(panel.getByRole("button", { name: "Open #design" })).toBeVisible();
  } finally {
    await server.dispose();
  }
});
