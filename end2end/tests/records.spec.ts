// Records (v3): what tools post to a Slack-compatible webhook looks right
// in the room: mrkdwn as formatting and links, Block Kit blocks as a card in
// place of the text, legacy attachments as cards with a colour bar, fields
// and a footer; keyboard-reachable links, axe-clean at 1280 and 360 px.
import { expect, test } from "@playwright/test";
import { PASSWORD, axeClean, closePages, signUp } from "./pages";
import { ConfabServer } from "./server";

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
