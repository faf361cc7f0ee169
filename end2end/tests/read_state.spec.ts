// Every room at once: rooms alice is not looking at turn bold with badges as
// bob writes, a direct room bob opens appears in her list, a mention while
// her tab is hidden notifies her (clicking it opens the room) and counts in
// the title, and reading in one tab clears the badge in her other tab.
import AxeBuilder from "@axe-core/playwright";
import { expect, Page, test } from "@playwright/test";
import { closePages, joinRoom, say, signUp } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

/** Records every notification the page shows (the real ones still show). */
function spyOnNotifications(): void {
  const Real = window.Notification;
  const shown: Notification[] = [];
  (window as unknown as { shown: Notification[] }).shown = shown;
  window.Notification = class extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      shown.push(this);
    }
  } as typeof Notification;
}

async function notifications(page: Page): Promise<{ title: string; body: string }[]> {
  return page.evaluate(() =>
    (window as unknown as { shown: Notification[] }).shown.map((n) => ({ title: n.title, body: n.body })),
  );
}

/** Hides or shows the tab, as switching to another tab would. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, "visibilityState", { value: hidden ? "hidden" : "visible", configurable: true });
    Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

const link = (page: Page, name: string) => page.locator(".sidebar .room-link", { hasText: name });

test("unread rooms, a new direct room, a notification for a mention, and reading on another tab", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice", { permissions: ["notifications"] });
    await alice.context().addInitScript(spyOnNotifications);
    await alice.reload();
    await expect(alice.getByText("Connected")).toBeVisible();
    // alice makes #team, then goes back to #general.
    await alice.getByLabel("New room").fill("team");
    await alice.getByRole("button", { name: "Create" }).click();
    await expect(alice.getByRole("heading", { name: "#team" })).toBeVisible();
    await link(alice, "general").click();
    await expect(alice.getByRole("heading", { name: "#general" })).toBeVisible();

    const bob = await signUp(browser, server.url, "bob");
    await joinRoom(bob, "team");
    await say(bob, "standup in 5", "#team");

    // alice is in #general: #team turns bold at once.
    await expect(alice.locator(".room-link.unread", { hasText: "team" })).toBeVisible({ timeout: 1_000 });
    await expect(alice).toHaveTitle("Confab");

    // Her tab is hidden; bob mentions her: a notification, a badge, the title.
    await setHidden(alice, true);
    await say(bob, "@alice can you take notes?", "#team");
    await expect(link(alice, "team").locator(".badge")).toHaveText("1");
    await expect(alice).toHaveTitle("(1) Confab");
    await expect.poll(() => notifications(alice)).toEqual([
      { title: "You were mentioned in #team", body: "bob: @alice can you take notes?" },
    ]);

    // bob opens a direct room: it appears in her list without a reload.
    await bob.getByLabel("Message someone").fill("alice");
    await bob.getByRole("button", { name: "Open" }).click();
    await expect(bob.getByRole("heading", { name: "@alice" })).toBeVisible();
    await expect(link(alice, "bob")).toBeVisible();
    await say(bob, "got a minute?", "@alice");
    await expect(link(alice, "bob").locator(".badge")).toHaveText("1");
    await expect(alice).toHaveTitle("(2) Confab");
    await expect.poll(async () => (await notifications(alice)).length).toBe(2);

    // Her second tab shows the same counts.
    const tab = await alice.context().newPage();
    await tab.goto(server.url);
    await expect(tab.getByText("Connected")).toBeVisible();
    await expect(link(tab, "team").locator(".badge")).toHaveText("1");
    await expect(tab).toHaveTitle("(2) Confab");

    // Clicking the mention's notification opens #team in the first tab, which
    // reads it: the second tab's badge clears within a second.
    await setHidden(alice, false);
    await alice.evaluate(() => {
      const shown = (window as unknown as { shown: Notification[] }).shown;
      shown[0].onclick?.(new Event("click"));
    });
    await expect(alice.getByRole("heading", { name: "#team" })).toBeVisible();
    await expect(alice.locator(".new-messages")).toBeVisible();
    await expect(link(tab, "team").locator(".badge")).toHaveCount(0, { timeout: 1_000 });
    await expect(tab.locator(".room-link.unread", { hasText: "team" })).toHaveCount(0, { timeout: 1_000 });
    await expect(tab).toHaveTitle("(1) Confab");

    // Muting the direct room takes it out of the title, on the server too.
    await link(alice, "bob").click();
    await expect(alice.getByRole("heading", { name: "@bob" })).toBeVisible();
    await expect(tab).toHaveTitle("Confab", { timeout: 1_000 });
    await alice.getByRole("button", { name: "Mute" }).click();
    await expect(alice.getByRole("button", { name: "Unmute" })).toBeVisible();
    await tab.reload();
    await expect(link(tab, "bob")).toContainText("(muted)");

    // A topic set in one tab shows in the other at once.
    await link(alice, "team").click();
    await alice.getByRole("button", { name: "Edit topic" }).click();
    await alice.getByLabel("Topic").fill("Daily standup notes");
    await alice.locator(".topic-form").getByRole("button", { name: "Save" }).click();
    await link(tab, "team").click();
    await expect(tab.locator(".room-bar .topic")).toHaveText("Daily standup notes");

    // The member list, with who is online.
    await alice.getByRole("button", { name: "Members" }).click();
    const members = alice.getByRole("complementary", { name: "Members" });
    await expect(members).toContainText("Members (2, 2 online)");

    const result = await new AxeBuilder({ page: alice }).analyze();
    expect(result.violations, JSON.stringify(result.violations, null, 2)).toEqual([]);
    const other = await new AxeBuilder({ page: tab }).analyze();
    expect(other.violations, JSON.stringify(other.violations, null, 2)).toEqual([]);
  } finally {
    await server.dispose();
  }
});
