// Records (v3): what tools post to a Slack-compatible webhook looks right
// in the room: mrkdwn as formatting and links, Block Kit blocks as a card in
// place of the text, legacy attachments as cards with a colour bar, fields
// and a footer; keyboard-reachable links, axe-clean at 1280 and 360 px. An
// admin downloads the export of everything from the console, and anyone
// their own data from Settings.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect, test } from "@playwright/test";
import { PASSWORD, axeClean, closePages, joinRoom, newPage, say, signUp } from "./pages";
import { ConfabServer } from "./server";

/** `confab-slack-export`, built beside the server. */
const SLACK_EXPORT = join(dirname(process.env.CONFAB_BIN ?? "../target/debug/confab"), "confab-slack-export");

test.afterEach(closePages);

test("a webhook's Slack-shaped posts show as formatted text and cards", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "alice", password: PASSWORD }),
    });
    const { token } = await login.json();
    const made = await fetch(`${server.url}/api/rooms/general/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "ci" }),
    });
    expect(made.status).toBe(201);
    const { url } = await made.json();
    const hook = (body: object) =>
      fetch(`${server.url}${url}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    expect((await hook({ text: "Build <https://ci.example/42|main> *passed*" })).status).toBe(200);
    expect(
      (
        await hook({
          text: "fallback only for notifications",
          blocks: [
            { type: "header", text: { type: "plain_text", text: "Deploy to production" } },
            { type: "section", text: { type: "mrkdwn", text: "*main* is live" }, fields: [{ type: "mrkdwn", text: "*Env*\nprod" }] },
            { type: "context", elements: [{ type: "mrkdwn", text: "by ci-bot" }] },
          ],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await hook({
          attachments: [
            {
              fallback: "All 120 tests passed",
              color: "danger",
              title: "All 120 tests passed",
              title_link: "https://ci.example/42",
              fields: [{ title: "Branch", value: "main", short: true }],
              footer: "Jenkins",
            },
          ],
        })
      ).status,
    ).toBe(200);

    const list = alice.locator(".message-list");
    const first = list.locator(".message", { hasText: "Build" });
    await expect(first.getByRole("link", { name: "main" })).toHaveAttribute("href", "https://ci.example/42");
    await expect(first.locator("strong")).toHaveText("passed");

    const deploy = list.locator(".message", { hasText: "Deploy to production" });
    const card = deploy.locator(".card");
    await expect(card.locator(".card-title")).toHaveText("Deploy to production");
    await expect(card.locator(".card-text strong")).toHaveText("main");
    await expect(card.locator(".card-field")).toContainText("prod");
    await expect(card.locator(".card-footer")).toHaveText("by ci-bot");
    await expect(deploy).not.toContainText("fallback only for notifications");

    const tests = list.locator(".message", { hasText: "Jenkins" });
    const bar = tests.locator(".card");
    await expect(bar).toHaveCSS("border-left-color", "rgb(163, 2, 0)");
    const title = bar.getByRole("link", { name: "All 120 tests passed" });
    await expect(title).toHaveAttribute("href", "https://ci.example/42");
    await expect(bar.locator(".card-field dt")).toHaveText("Branch");
    await title.focus();
    await expect(title).toBeFocused();
    await axeClean(alice, ".message-list");
  } finally {
    await server.dispose();
  }
});

test("an admin downloads everything from the console, a person their own data from Settings", async ({ browser }) => {
  const server = await ConfabServer.start(["--first-account-admin"]);
  try {
    const root = await signUp(browser, server.url, "root");
    await say(root, "kept for the records");
    await root.getByRole("banner").getByRole("button", { name: "Admin" }).click();
    const console = root.getByRole("complementary", { name: "Admin console" });
    await console.getByRole("tab", { name: "Records" }).click();
    const link = console.getByRole("link", { name: "Download the export" });
    await expect(link).toBeVisible();
    await axeClean(root, ".admin-console");
    // By keyboard: the link takes focus and Enter starts the download.
    await link.focus();
    const [everything] = await Promise.all([root.waitForEvent("download"), root.keyboard.press("Enter")]);
    expect(everything.suggestedFilename()).toMatch(/^confab-export-\d{4}-\d{2}-\d{2}\.zip$/);
    const zip = readFileSync(await everything.path());
    expect(zip.subarray(0, 2).toString()).toBe("PK");
    expect(zip.includes(Buffer.from("users.jsonl"))).toBe(true);
    await console.getByRole("button", { name: "Close the admin console" }).click();

    await root.getByRole("banner").getByRole("button", { name: "Settings" }).click();
    const mine = root.getByRole("link", { name: "Download my data" });
    await mine.scrollIntoViewIfNeeded();
    const [own] = await Promise.all([root.waitForEvent("download"), mine.click()]);
    expect(own.suggestedFilename()).toMatch(/^confab-root-\d{4}-\d{2}-\d{2}\.zip$/);
    const data = readFileSync(await own.path());
    expect(data.includes(Buffer.from("messages.jsonl"))).toBe(true);
    await axeClean(root, ".settings");
  } finally {
    await server.dispose();
  }
});

test("an admin sets a room's retention and places and releases a legal hold, by keyboard, at 360 px too", async ({ browser }) => {
  const server = await ConfabServer.start(["--first-account-admin"]);
  try {
    const root = await signUp(browser, server.url, "root");
    await signUp(browser, server.url, "dana");
    await root.getByRole("banner").getByRole("button", { name: "Admin" }).click();
    const console = root.getByRole("complementary", { name: "Admin console" });
    await console.getByRole("tab", { name: "Records" }).click();
    await expect(console.getByText("This instance keeps messages forever")).toBeVisible();

    await console.getByLabel("Room", { exact: true }).fill("general");
    await console.getByLabel(/^Keeps messages for/).fill("30");
    await console.getByLabel(/^Keeps messages for/).press("Enter");
    const periods = console.locator(".retention-rooms");
    await expect(periods.getByText("#general: keeps 30 days")).toBeVisible();

    await console.getByLabel("Hold on").selectOption("user");
    await console.getByLabel("Name (person) or id (room)").fill("dana");
    await console.getByLabel("Reason").fill("matter 7");
    await console.getByLabel("Reason").press("Enter");
    const holds = console.locator(".holds");
    await expect(holds.getByText(/^dana: matter 7 \(by root, /)).toBeVisible();
    await axeClean(root, ".admin-console");
    await root.setViewportSize({ width: 360, height: 740 });
    await expect(holds.getByRole("button", { name: "Release the hold on dana" })).toBeVisible();
    await axeClean(root, ".admin-console");

    // Both undone by keyboard: the hold released, the room back to the
    // instance's period (and so off the list).
    await holds.getByRole("button", { name: "Release the hold on dana" }).focus();
    await root.keyboard.press("Enter");
    await expect(holds.locator("li")).toHaveCount(0);
    await periods.getByRole("button", { name: "Use the instance's period for general" }).focus();
    await root.keyboard.press("Enter");
    await expect(periods.locator("li")).toHaveCount(0);
  } finally {
    await server.dispose();
  }
});

test("an admin imports a Slack export from the console, watches it, and reads its threads", async ({ browser }) => {
  const server = await ConfabServer.start(["--first-account-admin"]);
  const dir = mkdtempSync(join(tmpdir(), "confab-slack-"));
  const zip = join(dir, "slack.zip");
  execFileSync(SLACK_EXPORT, ["--out", zip, "--messages", "30"]);
  try {
    const root = await signUp(browser, server.url, "root");
    await root.getByRole("banner").getByRole("button", { name: "Admin" }).click();
    const console = root.getByRole("complementary", { name: "Admin console" });
    await console.getByRole("tab", { name: "Records" }).click();
    const importButton = console.getByRole("button", { name: "Import", exact: true });
    await expect(importButton).toBeDisabled();
    await console.getByLabel("Slack export (.zip)").setInputFiles(zip);
    await importButton.click();
    await expect(console.getByRole("progressbar", { name: "Import progress" })).toBeVisible();
    const done = console.getByRole("status").filter({ hasText: /^Imported \d+ people, 8 rooms, \d+ messages/ });
    await expect(done).toBeVisible({ timeout: 30_000 });
    // The mapping: each Slack person's account, none claimed yet.
    const people = console.getByRole("table", { name: "People" });
    await expect(people.getByRole("row", { name: /^U\S+ zoe not yet/ })).toBeVisible();
    await expect(console.getByRole("table", { name: "Conversations" })).toContainText("#general-slack");
    await axeClean(root, ".admin-console");

    // Zoe was imported: the admin makes her claim link.
    await console.getByRole("tab", { name: "Users" }).click();
    await console.getByLabel("Find users by name").fill("zoe");
    await console.getByRole("button", { name: "Bots & tokens of zoe" }).click();
    await console.getByRole("button", { name: "Make a claim link for zoe" }).click();
    const link = console.getByLabel("Claim link for zoe (one sign-up, a week)");
    await expect(link).toHaveValue(/\/\?invite=[0-9a-f]+$/);
    const url = await link.inputValue();
    await axeClean(root, ".admin-console");
    await console.getByRole("button", { name: "Close the admin console" }).click();

    // She opens it, signs up as zoe, and finds her direct messages.
    const zoe = await newPage(browser);
    await zoe.goto(url);
    await zoe.getByLabel("Username").fill("zoe");
    await zoe.getByLabel("Password").fill(PASSWORD);
    await zoe.getByRole("button", { name: "Create account" }).click();
    await expect(zoe.getByText("Connected")).toBeVisible();
    const rooms = zoe.getByRole("navigation", { name: "Rooms" });
    const group = rooms.getByRole("link", { name: /admin, yamada/ });
    await expect(group).toBeVisible();
    await group.click();
    await expect(zoe.locator(".message-list .message").first()).toBeVisible();

    // Slack's #general is a room of its own beside the live one, with its
    // history and threads.
    await joinRoom(root, "general-slack");
    const list = root.locator(".message-list");
    await expect(list).toContainText("can you look at");
    const replies = list.locator("button.replies").first();
    await replies.click();
    await expect(root.getByRole("complementary", { name: "Thread" })).toContainText("a reply from");
  } finally {
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
