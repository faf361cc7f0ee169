// Attention: mentioning everyone in a big room asks first; a room set to
// "mentions" keeps its count but stops notifying of plain messages; the
// Threads view shows a new reply in a followed thread as unread; saved
// messages and groups have their panels. Each new panel is checked with axe
// at 1280 px and 360 px.
import { createServer } from "node:http";
import { AddressInfo } from "node:net";
import { Page, expect, test } from "@playwright/test";
import { PASSWORD, axeClean, closePages, newPage, say, signUp } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

const FAST = ["--signups-per-network", "1000", "--user-rate-per-sec", "1000", "--user-rate-burst", "1000"];

/** Registers `name` over the API and makes them a member of #general. */
async function memberOfGeneral(server: ConfabServer, name: string): Promise<void> {
  const registered = await fetch(`${server.url}/api/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: name, password: PASSWORD }),
  });
  expect(registered.status).toBe(201);
  const { token } = await registered.json();
  const joined = await fetch(`${server.url}/api/rooms/general/members`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ user: name }),
  });
  expect(joined.status).toBe(201);
}

/** Makes the page look hidden and records the notifications it shows. */
async function recordNotifications(page: Page): Promise<void> {
  await page.addInitScript(() => {
    Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
    const shown: string[] = [];
    (window as unknown as { shownNotifications: string[] }).shownNotifications = shown;
    class Recorded {
      static permission = "granted";
      static requestPermission = async () => "granted";
      onclick: unknown = null;
      constructor(title: string, options?: { body?: string }) {
        shown.push(`${title}: ${options?.body ?? ""}`);
      }
      close() {}
    }
    (window as unknown as { Notification: unknown }).Notification = Recorded;
  });
}

async function shown(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { shownNotifications: string[] }).shownNotifications);
}

test("mentioning everyone in a room of more than 50 asks first", async ({ browser }) => {
  // The first account is the admin, who stands as an owner in every room:
  // she may mention everyone.
  const server = await ConfabServer.start([...FAST, "--first-account-admin"]);
  try {
    const alice = await signUp(browser, server.url, "alice");
    for (let i = 0; i < 50; i++) await memberOfGeneral(server, `member${i}`);
    const box = alice.getByLabel("Message #general");
    await box.pressSequentially("@chan");
    const offered = alice.getByRole("listbox", { name: "People to mention" });
    await expect(offered.getByRole("option")).toContainText(["every member of the room @channel"]);
    await box.press("Enter");
    await box.pressSequentially("standup in five");
    await expect(box).toHaveValue("@channel standup in five");
    await box.press("Enter");
    const confirm = alice.getByRole("alertdialog", { name: "Notify everyone?" });
    await expect(confirm).toContainText("This notifies all 51 members of #general");
    await axeClean(alice, ".broad-confirm");
    // Cancelled: nothing sent, the text kept.
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm).toHaveCount(0);
    await expect(box).toHaveValue("@channel standup in five");
    await expect(alice.locator(".message-list")).not.toContainText("standup in five");
    // Confirmed: sent.
    await box.press("Enter");
    await confirm.getByRole("button", { name: "Send to everyone" }).click();
    await expect(alice.locator(".message-list .message:not(.pending)")).toContainText(["@channel standup in five"]);
    await expect(box).toHaveValue("");

    // A plain member is told before sending, and keeps the text.
    const bob = await signUp(browser, server.url, "bob");
    const bobBox = bob.getByLabel("Message #general");
    await bobBox.fill("@here anyone?");
    await bobBox.press("Enter");
    await expect(bob.getByText("Only the room's moderators, owners and admins can mention everyone")).toBeVisible();
    await expect(bobBox).toHaveValue("@here anyone?");
  } finally {
    await server.dispose();
  }
});

test("a room set to mentions keeps its count but notifies of mentions only", async ({ browser }) => {
  const server = await ConfabServer.start(FAST);
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bobPage = await newPage(browser);
    await recordNotifications(bobPage);
    await bobPage.goto(server.url);
    await bobPage.getByRole("button", { name: "New here? Create an account" }).click();
    await bobPage.getByLabel("Username").fill("bob");
    await bobPage.getByLabel("Password").fill(PASSWORD);
    await bobPage.getByRole("button", { name: "Create account" }).click();
    await expect(bobPage.getByText("Connected")).toBeVisible();
    const level = bobPage.getByLabel("Notify me about");
    await level.selectOption("all");
    await expect(level).toHaveValue("all");
    // Every message notifies at "all".
    await say(alice, "coffee anyone?");
    await expect.poll(() => shown(bobPage)).toEqual(["New message in #general: alice: coffee anyone?"]);
    await axeClean(bobPage, ".room-bar");

    // At "mentions": the count still moves, a plain message does not notify.
    await level.selectOption("mentions");
    await expect(level).toHaveValue("mentions");
    await bobPage.reload();
    await expect(bobPage.getByText("Connected")).toBeVisible();
    await expect(bobPage.getByLabel("Notify me about")).toHaveValue("mentions");
    await say(alice, "lunch at noon");
    await say(alice, "@bob can you review?");
    await expect.poll(() => shown(bobPage)).toEqual(["You were mentioned in #general: alice: @bob can you review?"]);
    const link = bobPage.getByRole("navigation", { name: "Rooms" }).locator("a.room-link", { hasText: "# general" });
    await expect(link).toHaveClass(/unread/);

    // Paused: nothing notifies, and the sidebar says until when.
    const dnd = bobPage.getByRole("region", { name: "Do not disturb" });
    await dnd.getByLabel("Pause notifications").selectOption("60");
    await expect(dnd).toContainText("Notifications paused until");
    await axeClean(bobPage, ".dnd");
    await say(alice, "@bob still there?");
    await expect(bobPage.locator(".message-list")).toContainText("still there?");
    await dnd.getByRole("button", { name: "Resume notifications" }).click();
    await expect(dnd).toContainText("Notifications on");
    await say(alice, "@bob back?");
    await expect.poll(async () => (await shown(bobPage)).length).toBe(2);
    expect((await shown(bobPage))[1]).toContain("@bob back?");
  } finally {
    await server.dispose();
  }
});

test("a reply in a followed thread shows as unread in Threads; saved and groups", async ({ browser }) => {
  const server = await ConfabServer.start(FAST);
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    await say(alice, "shall we ship on friday?");
    const root = bob.locator(".message", { hasText: "shall we ship on friday?" });
    await root.focus();
    await root.getByRole("button", { name: "Reply" }).click();
    const reply = bob.getByLabel("Reply in the thread");
    await reply.fill("yes, after the migration");
    await reply.press("Enter");
    await expect(bob.getByRole("complementary", { name: "Thread" })).toContainText("yes, after the migration");
    await expect(bob.getByRole("complementary", { name: "Thread" }).getByRole("button", { name: "Follow" })).toHaveAttribute("aria-pressed", "true");

    // Alice wrote the root: she follows it, and the reply is unread there.
    const threads = alice.getByRole("group", { name: "Your views" }).getByRole("button", { name: /^Threads/ });
    await expect(threads).toHaveAccessibleName("Threads, 1 unread");
    await threads.click();
    const panel = alice.getByRole("complementary", { name: "Followed threads" });
    await expect(panel.locator(".pin-item")).toHaveCount(1);
    await expect(panel.locator(".pin-item")).toContainText("1 new");
    await axeClean(alice, ".threads-panel");
    await panel.getByRole("button", { name: "Open the thread in #general" }).click();
    await expect(alice.getByRole("complementary", { name: "Thread" })).toContainText("yes, after the migration");
    await expect(threads).toHaveAccessibleName("Threads");

    // Saved for later, listed in Saved.
    const row = alice.getByRole("log", { name: "Messages in #general" }).locator(".message", { hasText: "shall we ship on friday?" });
    await row.focus();
    await row.getByRole("button", { name: "Save" }).click();
    await expect(row.getByRole("button", { name: "Save" })).toHaveAttribute("aria-pressed", "true");
    await alice.getByRole("group", { name: "Your views" }).getByRole("button", { name: "Saved" }).click();
    const saved = alice.getByRole("complementary", { name: "Saved messages" });
    await expect(saved.locator(".pin-item")).toContainText("shall we ship on friday?");
    await axeClean(alice, ".saved-panel");
    await saved.getByRole("button", { name: "Unsave" }).click();
    await expect(saved.locator(".pin-item")).toHaveCount(0);

    // A group, then offered when typing @.
    await alice.getByRole("group", { name: "Your views" }).getByRole("button", { name: "Groups" }).click();
    const groups = alice.getByRole("complementary", { name: "Groups" });
    await groups.getByLabel("Group name").fill("release-crew");
    await groups.getByLabel("Members (usernames)").fill("bob");
    await groups.getByLabel("Description").fill("Who ships");
    await groups.getByRole("button", { name: "Create group" }).click();
    await expect(groups.locator(".group-item")).toContainText("@release-crew · 1 member");
    await axeClean(alice, ".groups-panel");
    await groups.getByRole("button", { name: "Close the groups" }).click();
    const box = alice.getByLabel("Message #general");
    await box.pressSequentially("@release");
    await expect(alice.getByRole("listbox", { name: "People to mention" })).toContainText("group of 1 person @release-crew");
    await box.press("Enter");
    await box.pressSequentially("ready?");
    await box.press("Enter");
    const mentioned = bob.locator(".message.mentions-me", { hasText: "ready?" });
    await expect(mentioned).toHaveCount(1);
  } finally {
    await server.dispose();
  }
});

test("search with from: and has:file, suggested as they are typed", async ({ browser }) => {
  const server = await ConfabServer.start(FAST);
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    await alice.getByLabel("Attach files").setInputFiles({
      name: "q3-budget.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from("%PDF-1.4 budget"),
    });
    await expect(alice.locator(".uploads .ready")).toHaveText("Ready");
    await say(alice, "the budget, attached");
    await say(bob, "budget looks high");
    await expect(alice.locator(".message-list")).toContainText("budget looks high");

    const box = alice.getByLabel("Search messages");
    await box.pressSequentially("budget has:fi");
    const hints = alice.getByRole("group", { name: "Search filters" });
    await hints.getByRole("button", { name: "has:file" }).click();
    await expect(box).toHaveValue("budget has:file ");
    await axeClean(alice, ".search-box");
    await box.press("Enter");
    const panel = alice.getByRole("region", { name: "Search results" });
    await expect(panel.locator(".search-hit")).toHaveCount(1);
    await expect(panel.locator(".search-hit")).toContainText("the budget, attached");

    await box.fill("budget from:bob");
    await box.press("Enter");
    await expect(panel.locator(".search-hit")).toHaveCount(1);
    await expect(panel.locator(".search-hit")).toContainText("budget looks high");
    // A file is found by its name.
    await box.fill("q3");
    await box.press("Enter");
    await expect(panel.locator(".search-hit")).toContainText("the budget, attached");
  } finally {
    await server.dispose();
  }
});

test("a link card appears under the message, and its author removes it", async ({ browser }) => {
  // A page on loopback, which the operator allows the server to fetch.
  const pages = createServer((_, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><title>Deploy guide</title>
      <meta property="og:description" content="How we ship, step by step.">
      <meta property="og:site_name" content="Handbook">`);
  });
  await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
  const port = (pages.address() as AddressInfo).port;
  const server = await ConfabServer.start([...FAST, "--unfurl-allow-hosts", "127.0.0.1"]);
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    await say(alice, `the guide: http://127.0.0.1:${port}/guide`);
    const card = bob.locator(".message", { hasText: "the guide" }).locator(".link-card");
    await expect(card).toContainText("Deploy guide");
    await expect(card).toContainText("How we ship, step by step.");
    await expect(card.getByRole("link", { name: "Deploy guide" })).toHaveAttribute("rel", /noopener/);
    await expect(bob.locator(".message", { hasText: "the guide" }).getByRole("button", { name: "Remove preview" })).toHaveCount(0);
    await axeClean(bob, ".link-previews");
    await alice.locator(".message", { hasText: "the guide" }).getByRole("button", { name: "Remove preview" }).click();
    await expect(card).toHaveCount(0);
  } finally {
    await server.dispose();
    pages.close();
  }
});

test("keyboard: ↑ edits, Alt+arrows move between rooms, ? lists shortcuts, :emoji: completes", async ({ browser }) => {
  const server = await ConfabServer.start(FAST);
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    await say(alice, "frist post");
    const box = alice.getByLabel("Message #general");
    await box.press("ArrowUp");
    const edit = alice.getByLabel("Edit message");
    await expect(edit).toBeFocused();
    await edit.fill("first post");
    await edit.press("Enter");
    await expect(bob.locator(".message-list")).toContainText("first post");
    await expect(bob.locator(".message-list")).toContainText("(edited)");

    // :shortcode completes to the emoji; the picker finds one by name.
    await box.pressSequentially("ship it :tad");
    const emoji = alice.getByRole("listbox", { name: "Emoji" });
    await expect(emoji.getByRole("option").first()).toHaveText("🎉 :tada:");
    await box.press("Enter");
    await expect(box).toHaveValue("ship it 🎉 ");
    await alice.getByRole("button", { name: "Emoji" }).click();
    const picker = alice.getByRole("dialog", { name: "Choose an emoji" });
    await picker.getByLabel("Find an emoji").fill("rocket");
    await axeClean(alice, ".emoji-panel");
    await picker.getByRole("button", { name: ":rocket:" }).click();
    await expect(box).toHaveValue("ship it 🎉 🚀");
    await box.press("Enter");
    await expect(bob.locator(".message-list")).toContainText("ship it 🎉 🚀");

    // Alt+↓ opens the next room; Alt+Shift+↓ the next with something unread.
    await alice.getByLabel("New room").fill("ops");
    await alice.getByRole("button", { name: "Create" }).click();
    await expect(alice.getByRole("heading", { name: "#ops" })).toBeVisible();
    await alice.getByLabel("New room").fill("zeta");
    await alice.getByRole("button", { name: "Create" }).click();
    await expect(alice.getByRole("heading", { name: "#zeta" })).toBeVisible();
    await alice.getByRole("navigation", { name: "Rooms" }).getByRole("button", { name: "A–Z" }).click();
    await alice.keyboard.press("Alt+ArrowUp");
    await expect(alice.getByRole("heading", { name: "#ops" })).toBeVisible();
    await alice.keyboard.press("Alt+ArrowUp");
    await expect(alice.getByRole("heading", { name: "#general" })).toBeVisible();
    await alice.keyboard.press("Alt+ArrowDown");
    await alice.keyboard.press("Alt+ArrowDown");
    await expect(alice.getByRole("heading", { name: "#zeta" })).toBeVisible();
    await say(bob, "news in general");
    await expect(alice.getByRole("navigation", { name: "Rooms" }).locator("a.room-link.unread")).toHaveCount(1);
    await alice.keyboard.press("Alt+Shift+ArrowDown");
    await expect(alice.getByRole("heading", { name: "#general" })).toBeVisible();

    // ? lists the shortcuts.
    await alice.locator(".messages").click();
    await alice.keyboard.press("?");
    const list = alice.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect(list).toContainText("Previous or next unread room");
    await axeClean(alice, ".shortcuts");
    await alice.keyboard.press("Escape");
    await expect(list).toHaveCount(0);
  } finally {
    await server.dispose();
  }
});

test("a message scheduled for later waits in Later with a reminder, and both cancel", async ({ browser }) => {
  const server = await ConfabServer.start(FAST);
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    const box = alice.getByLabel("Message #general");
    await box.fill("the deploy is done");
    await alice.getByRole("button", { name: "Schedule" }).click();
    const panel = alice.getByRole("form", { name: "Schedule the message" });
    // Half an hour from now on the page's clock (the field counts minutes).
    const at = await alice.evaluate(() => {
      const d = new Date(Date.now() + 30 * 60_000);
      const p = (n: number) => String(n).padStart(2, "0");
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    });
    await panel.getByLabel("Send at").fill(at);
    await axeClean(alice, ".schedule-panel");
    await panel.getByRole("button", { name: "Schedule send" }).click();
    await expect(box).toHaveValue("");
    await alice.getByRole("group", { name: "Your views" }).getByRole("button", { name: /^Later/ }).click();
    const later = alice.getByRole("complementary", { name: "Later" });
    await expect(later.locator(".pin-item")).toContainText("the deploy is done");

    // A reminder about a message, from its actions.
    await say(bob, "review my change please");
    const row = alice.locator(".message", { hasText: "review my change please" });
    await row.focus();
    await row.getByLabel("Remind me about this").selectOption("1h");
    await expect(later.locator(".pin-item").nth(1)).toContainText("A message");
    await axeClean(alice, ".later-panel");
    await later.getByRole("button", { name: "Cancel" }).nth(1).click();
    await expect(later.locator(".pin-item")).toHaveCount(1);
    // Cancelled: never sent.
    await later.getByRole("button", { name: "Cancel" }).click();
    await expect(later.locator(".pin-item")).toHaveCount(0);
  } finally {
    await server.dispose();
  }
});
