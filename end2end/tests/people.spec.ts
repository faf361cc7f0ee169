// People: a profile (name, title, time zone, status, picture) made in
// Settings shows on another user's screen at once; a click on a name opens
// the person's card; the directory finds people and messages them. The
// card and the directory are checked with axe at 1280 px and 360 px.
import { expect, test, type Page } from "@playwright/test";
import { axeClean, closePages, say, signUp } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

// A 1×1 PNG: enough to be re-encoded as a picture.
const PIXEL = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

test("a profile with a picture and a status shows on another screen without a reload", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    await say(alice, "hello from alice");
    const row = bob.locator(".message", { hasText: "hello from alice" });
    await expect(row.locator(".person-name")).toHaveText("alice");

    await alice.getByRole("button", { name: "Settings" }).click();
    const settings = alice.getByRole("complementary", { name: "Settings" });
    await settings.getByLabel("Display name").fill("Alice Liddell");
    await settings.getByLabel("Title").fill("Head of Wonder");
    await settings.getByLabel("Time zone").selectOption("Europe/Berlin");
    await settings.getByLabel("Status emoji").fill("📅");
    await settings.getByLabel("Status", { exact: true }).fill("In a meeting");
    await settings.getByLabel("Clear status after").selectOption({ label: "1 hour" });
    await settings.getByRole("button", { name: "Save profile" }).click();
    await settings.getByLabel("Change picture").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: PIXEL });
    await expect(settings.locator("img.avatar.large")).toHaveAttribute("src", /^\/api\/avatars\/[0-9a-f]{64}$/);

    // Bob's screen follows, with no reload.
    const name = row.getByRole("button", { name: "Alice Liddell" });
    await expect(name).toBeVisible();
    await expect(name).toHaveAttribute("title", "@alice");
    await expect(row.locator("img.avatar")).toHaveAttribute("src", /^\/api\/avatars\/[0-9a-f]{64}$/);

    // The card: who she is, her local time, her status.
    await name.click();
    const card = bob.getByRole("dialog", { name: "Alice Liddell" });
    await expect(card).toContainText("@alice");
    await expect(card).toContainText("Head of Wonder");
    await expect(card).toContainText(/📅 In a meeting · until \d\d:\d\d/);
    await expect(card).toContainText(/Local time \d\d:\d\d/);
    await expect(card.getByRole("button", { name: "Close the profile" })).toBeFocused();
    await axeClean(bob, ".profile-card");
    await bob.keyboard.press("Escape");
    await expect(card).toHaveCount(0);

    // The directory finds her by her display name, and messages her.
    await bob.getByRole("button", { name: "People" }).click();
    const people = bob.getByRole("complementary", { name: "People" });
    // A prefix of a name or display name, as the contract says.
    await people.getByLabel("Find people by name").fill("liddell");
    await expect(people.getByText("Nobody by that name.")).toBeVisible();
    await people.getByLabel("Find people by name").fill("ali");
    await expect(people.locator(".person-item")).toHaveCount(1);
    await expect(people.locator(".person-item")).toContainText("Alice Liddell");
    await expect(people.locator(".person-item")).toContainText("@alice · Head of Wonder");
    await axeClean(bob, ".people-panel");
    await people.getByRole("button", { name: "Message alice" }).click();
    // A direct room is called by the person's display name.
    await expect(bob.getByRole("heading", { name: "@Alice Liddell" })).toBeVisible();
    await expect(bob.getByRole("navigation", { name: "Rooms" }).getByRole("link", { name: /@ Alice Liddell/ })).toBeVisible();
    await say(bob, "saw your status", "@Alice Liddell");
    await expect(bob.locator(".message.pending")).toHaveCount(0);
  } finally {
    await server.dispose();
  }
});
