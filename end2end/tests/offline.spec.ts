// Beyond the tab, on the device: Confab opens with no network (the service
// worker keeps this release's page and files; the page keeps the last rooms
// and messages in IndexedDB), shows them marked offline, and catches up once
// back; a new release is offered with "Reload for the new version"; and on a
// phone the room list, a room, search and a thread are full-screen views
// that the back button and gesture leave one at a time.
import AxeBuilder from "@axe-core/playwright";
import { cpSync, mkdtempSync, rmSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, Page, test } from "@playwright/test";
import { PASSWORD, allowConsoleErrors, closePages, newPage, say, signUp } from "./pages";
import { ConfabServer, SITE_ROOT } from "./server";

test.afterEach(closePages);

/** The messages of `room` this device kept, as JSON ("" if none yet). The
 * database is only opened once the page has made it (opening it first
 * would make an empty one). */
function keptCopy(page: Page, room: string): Promise<string> {
  return page.evaluate(async (room) => {
    const made = (await indexedDB.databases()).some((d) => d.name === "confab");
    if (!made) return "";
    return new Promise<string>((resolve) => {
      const open = indexedDB.open("confab");
      open.onerror = () => resolve("");
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains("saved")) {
          db.close();
          return resolve("");
        }
        const get = db.transaction("saved").objectStore("saved").get(`room:${room}`);
        get.onsuccess = () => {
          db.close();
          resolve(typeof get.result === "string" ? get.result : "");
        };
        get.onerror = () => resolve("");
      };
    });
  }, room);
}

/** Waits until the service worker controls the page (its first install). */
async function controlled(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

async function axeClean(page: Page, what: string): Promise<void> {
  const scan = await new AxeBuilder({ page }).analyze();
  expect(scan.violations, `${what}: ${JSON.stringify(scan.violations, null, 2)}`).toEqual([]);
}

test("with the network cut a reload shows the last room marked offline, and catches up once back", async ({ browser }) => {
  // Requests the page makes while the network is cut fail, as they should.
  allowConsoleErrors(/ERR_INTERNET_DISCONNECTED|Failed to fetch/);
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    await say(bob, "the offsite is on the 12th");
    await say(alice, "noted, booking trains");
    await controlled(alice);
    await expect.poll(() => keptCopy(alice, "general"), { timeout: 10_000 }).toContain("booking trains");

    await alice.context().setOffline(true);
    await alice.reload();
    const messages = alice.locator(".message-list");
    await expect(messages).toContainText("the offsite is on the 12th");
    await expect(messages).toContainText("noted, booking trains");
    await expect(alice.getByRole("heading", { name: "#general" })).toBeVisible();
    await expect(alice.locator(".link-status")).toContainText("Offline");
    await expect(alice.getByRole("status").filter({ hasText: "You're offline." })).toBeVisible();
    // Nothing can be typed that could not be sent.
    await expect(alice.getByLabel("Message #general")).toHaveCount(0);

    await say(bob, "sent while alice was offline");
    await alice.context().setOffline(false);
    await expect(alice.getByText("Connected")).toBeVisible();
    await expect(messages).toContainText("sent while alice was offline");
    await expect(messages.locator(".message", { hasText: "noted, booking trains" })).toHaveCount(1);
    await say(alice, "back, and the box is too");
    await expect(bob.locator(".message-list")).toContainText("back, and the box is too");
  } finally {
    await server.dispose();
  }
});

test("signing out forgets what this device kept", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    await say(alice, "a private note");
    await expect.poll(() => keptCopy(alice, "general"), { timeout: 10_000 }).toContain("a private note");
    await alice.getByRole("button", { name: "Sign out" }).click();
    await expect(alice.getByRole("button", { name: "Sign in" })).toBeVisible();
    await expect.poll(() => keptCopy(alice, "general")).toBe("");
  } finally {
    await server.dispose();
  }
});

test("a new release is offered, and a reload runs it", async ({ browser }) => {
  // A copy of the built site, changed below as a new build would be.
  const site = mkdtempSync(join(tmpdir(), "confab-site-"));
  cpSync(SITE_ROOT, site, { recursive: true });
  allowConsoleErrors(/ERR_CONNECTION_REFUSED|WebSocket/);
  const server = await ConfabServer.start([], undefined, site);
  try {
    const alice = await signUp(browser, server.url, "alice");
    await controlled(alice);
    const release = async () => (await fetch(`${server.url}/sw.js`)).headers.get("x-confab-version");
    const first = await release();
    expect(await alice.evaluate(() => caches.keys())).toEqual([`confab-shell-${first}`]);
    await expect(alice.getByRole("button", { name: "Reload for the new version" })).toHaveCount(0);

    appendFileSync(join(site, "pkg", "confab.css"), "\n/* the next release */\n");
    await server.restart();
    const second = await release();
    expect(second).not.toBe(first);
    // The page reconnects and finds the new release waiting.
    const reload = alice.getByRole("button", { name: "Reload for the new version" });
    await expect(reload).toBeVisible({ timeout: 20_000 });
    await reload.click();
    await expect(alice.getByText("Connected")).toBeVisible();
    await expect(reload).toHaveCount(0);
    await expect.poll(() => alice.evaluate(() => caches.keys())).toEqual([`confab-shell-${second}`]);
    const css = await alice.evaluate(async () => (await fetch("/pkg/confab.css")).text());
    expect(css).toContain("the next release");
  } finally {
    await server.dispose();
    rmSync(site, { recursive: true, force: true });
  }
});

test("on a 390 px phone: room list, room, thread and search are full-screen views that back leaves", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const bob = await signUp(browser, server.url, "bob");
    await say(bob, "who has the projector adapter?");
    const phone = await newPage(browser, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    await phone.goto(server.url);
    await phone.getByRole("button", { name: "New here? Create an account" }).click();
    await phone.getByLabel("Username").fill("alice");
    await phone.getByLabel("Password").fill(PASSWORD);
    await phone.getByRole("button", { name: "Create account" }).click();

    // The room list fills the screen.
    const rooms = phone.getByRole("navigation", { name: "Rooms" });
    const room = phone.locator("main.room .message-list");
    await expect(rooms).toBeVisible();
    await expect(room).toBeHidden();
    await axeClean(phone, "the room list");
    await phone.screenshot({ path: "test-results/phone-390-list.png" });

    // A room: full screen, with a way back.
    await rooms.locator("a.room-link", { hasText: "general" }).click();
    await expect(room).toBeVisible();
    await expect(rooms).toBeHidden();
    await expect(phone.getByRole("heading", { name: "#general" })).toBeVisible();
    const message = phone.locator(".message", { hasText: "who has the projector adapter?" });
    await expect(message).toBeVisible();
    await axeClean(phone, "the room");
    await phone.screenshot({ path: "test-results/phone-390-room.png" });

    // A thread: over everything, one thumb from its back button.
    await message.focus();
    await message.getByRole("button", { name: "Reply" }).click();
    const thread = phone.getByRole("complementary", { name: "Thread" });
    await expect(thread).toBeVisible();
    await expect(thread).toBeInViewport({ ratio: 0.95 });
    await phone.getByLabel("Reply in the thread").fill("I do, desk 4");
    await phone.getByLabel("Reply in the thread").press("Enter");
    await expect(thread).toContainText("I do, desk 4");
    await axeClean(phone, "the thread");
    await phone.screenshot({ path: "test-results/phone-390-thread.png" });

    // The back gesture leaves the thread for the room.
    await phone.goBack();
    await expect(thread).toHaveCount(0);
    await expect(room).toBeVisible();
    await expect(phone.getByRole("heading", { name: "#general" })).toBeVisible();

    // Search, under the top bar; its own back button takes its history
    // entry back too.
    await phone.getByLabel("Search messages").fill("projector");
    await phone.getByLabel("Search messages").press("Enter");
    const results = phone.getByRole("region", { name: "Search results" });
    await expect(results).toContainText("who has the projector adapter?");
    await axeClean(phone, "search");
    await phone.screenshot({ path: "test-results/phone-390-search.png" });
    await results.getByRole("button", { name: "‹ Back" }).click();
    await expect(results).toHaveCount(0);
    await expect(room).toBeVisible();

    // Back again: the room list (not search, not the thread).
    await phone.goBack();
    await expect(rooms).toBeVisible();
    await expect(room).toBeHidden();
    // And forward through the button: the room, then "‹ Rooms" back.
    await rooms.locator("a.room-link", { hasText: "general" }).click();
    await expect(room).toBeVisible();
    await phone.getByRole("button", { name: "‹ Rooms" }).click();
    await expect(rooms).toBeVisible();
    expect(new URL(phone.url()).pathname).toBe("/");
  } finally {
    await server.dispose();
  }
});
