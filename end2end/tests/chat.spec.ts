// Confab as people use it, in Chromium: sign up, chat, reload, scroll back, survive
// a server restart, and stay accessible. (Security: security.spec.ts.)
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { Cluster } from "./cluster";
import { allowConsoleErrors, bodies, closePages, newPage, reconnected, say, signUp, watchDialogs } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

test("two users sign up and chat both ways; a reload keeps the history", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    await say(alice, "hello from alice");
    await expect(bob.locator(".message-list")).toContainText("hello from alice");
    await say(bob, "hi alice, bob here");
    await expect(alice.locator(".message-list")).toContainText("hi alice, bob here");
    // Shift+Enter is a new line, not a send.
    const box = alice.getByLabel("Message #general");
    await box.fill("line one");
    await box.press("Shift+Enter");
    await box.type("line two");
    await box.press("Enter");
    await expect(bob.locator(".message-list")).toContainText("line one\nline two");
    await expect.poll(() => bodies(alice)).toEqual(["hello from alice", "hi alice, bob here", "line one\nline two"]);

    await alice.reload();
    await expect(alice.getByText("Connected")).toBeVisible();
    await expect.poll(() => bodies(alice)).toEqual(["hello from alice", "hi alice, bob here", "line one\nline two"]);
    // Authors are shown.
    await expect(alice.locator(".message .author .person-name").first()).toHaveText("alice");
  } finally {
    await server.dispose();
  }
});

test("scrolling up loads older messages", async ({ browser }) => {
  const server = await ConfabServer.start(["--rate-per-sec", "1000", "--rate-burst", "1000", "--user-rate-per-sec", "1000", "--user-rate-burst", "1000"]);
  try {
    const alice = await signUp(browser, server.url, "alice");
    // 130 messages, sent over alice's own socket from inside the page.
    await alice.evaluate(async () => {
      const ws = new WebSocket(location.origin.replace(/^http/, "ws") + "/ws");
      await new Promise((r) => (ws.onopen = r));
      let acks = 0;
      const done = new Promise<void>((resolve) => {
        ws.onmessage = (e) => {
          if (JSON.parse(e.data).type === "ack" && ++acks === 130) resolve();
        };
      });
      for (let i = 1; i <= 130; i++) {
        ws.send(JSON.stringify({ type: "send", room: "general", client_msg_id: crypto.randomUUID(), body: `old ${i}` }));
      }
      await done;
      ws.close();
    });
    await alice.reload();
    await expect(alice.locator(".message-list")).toContainText("old 130");
    // The latest page only: old 81 … old 130.
    await expect.poll(() => bodies(alice)).toEqual(Array.from({ length: 50 }, (_, i) => `old ${i + 81}`));
    const list = alice.locator(".messages");
    for (let i = 0; i < 10 && !(await bodies(alice)).includes("old 1"); i++) {
      await list.evaluate((el) => el.scrollTo(0, 0));
      await alice.waitForTimeout(300);
    }
    const all = await bodies(alice);
    expect(all).toEqual(Array.from({ length: 130 }, (_, i) => `old ${i + 1}`));
    await expect(alice.getByText("This is the start of #general.")).toBeVisible();
  } finally {
    await server.dispose();
  }
});

test("a server restart: the UI reconnects, shows what was missed once, in order, and delivers what was typed offline", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    await say(bob, "before the restart");
    await expect(alice.locator(".message-list")).toContainText("before the restart");

    // While it is down the browser reports each failed attempt.
    allowConsoleErrors(/ERR_CONNECTION_REFUSED/);
    await server.stop();
    await expect(alice.getByText(/Reconnecting in \d+ s/)).toBeVisible();
    await expect(bob.getByText(/Reconnecting in \d+ s/)).toBeVisible();
    await say(alice, "typed while the server was down");
    await expect(alice.locator(".message.pending")).toContainText("typed while the server was down");

    await server.launch();
    await reconnected(bob);
    for (const text of ["missed one", "missed two", "missed three"]) await say(bob, text);
    await expect(bob.locator(".message.pending")).toHaveCount(0);

    await reconnected(alice);
    await expect(alice.locator(".message.pending")).toHaveCount(0);
    const seen = await bodies(alice);
    for (const text of ["before the restart", "missed one", "missed two", "missed three", "typed while the server was down"]) {
      expect(seen.filter((b) => b === text), `${text} shown once`).toHaveLength(1);
    }
    const order = ["missed one", "missed two", "missed three"].map((t) => seen.indexOf(t));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    await expect(bob.locator(".message-list")).toContainText("typed while the server was down");
  } finally {
    await server.dispose();
  }
});

test("message text is shown as text, never run as HTML", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    const dialogs = watchDialogs(bob);
    const payload = "<img src=x onerror=alert(1)>";
    await say(alice, payload);
    await expect(bob.locator(".message-list .body").last()).toHaveText(payload);
    await expect(bob.locator(".message-list img")).toHaveCount(0);
    await bob.waitForTimeout(500);
    expect(dialogs()).toBe(0);
  } finally {
    await server.dispose();
  }
});

test("no accessibility violations; screenshots at 1280 px and 360 px", async ({ browser }, testInfo) => {
  const server = await ConfabServer.start();
  try {
    const page = await newPage(browser);
    await page.goto(server.url);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    const login = await new AxeBuilder({ page }).analyze();
    expect(login.violations, JSON.stringify(login.violations, null, 2)).toEqual([]);

    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    await say(alice, "Morning! The deploy went out at 9.");
    await say(bob, "Nice, thanks. Any issues?");
    await say(alice, "None so far — dashboards look clean.");
    await expect(alice.locator(".message-list")).toContainText("dashboards look clean");
    const chat = await new AxeBuilder({ page: alice }).analyze();
    expect(chat.violations, JSON.stringify(chat.violations, null, 2)).toEqual([]);

    mkdirSync("artifacts", { recursive: true });
    for (const width of [1280, 360]) {
      await alice.setViewportSize({ width, height: width === 360 ? 740 : 800 });
      const path = `artifacts/chat-${width}.png`;
      await alice.screenshot({ path, fullPage: false });
      await testInfo.attach(`chat at ${width} px`, { path, contentType: "image/png" });
    }
    // At 360 px the room fills the screen; "‹ Rooms" goes back to the list.
    await alice.getByRole("button", { name: "‹ Rooms" }).click();
    await expect(alice.getByRole("navigation", { name: "Rooms" })).toBeVisible();
    const phone = await new AxeBuilder({ page: alice }).analyze();
    expect(phone.violations, JSON.stringify(phone.violations, null, 2)).toEqual([]);
  } finally {
    await server.dispose();
  }
});

test("a cluster: one browser on each instance, through nginx and directly, chat both ways", async ({ browser }) => {
  const cluster = await Cluster.start();
  try {
    // Alice goes straight to instance A, Bob to instance B.
    const alice = await signUp(browser, cluster.a.url, "alice");
    const bob = await signUp(browser, cluster.b.url, "bob");
    await say(alice, "hello from instance A");
    await expect(bob.locator(".message-list")).toContainText("hello from instance A");
    await say(bob, "hello back from instance B");
    await expect(alice.locator(".message-list")).toContainText("hello back from instance B");
    await expect(bob.locator("ul.online")).toContainText("alice");
    // Carol comes in through nginx, which picks either instance.
    const carol = await signUp(browser, cluster.url, "carol");
    await expect.poll(() => bodies(carol)).toEqual(["hello from instance A", "hello back from instance B"]);
    await say(carol, "and carol through nginx");
    // The count comes from the other instance too (online_count, or the
    // online list a page's presence_interest is answered with).
    await expect(bob.getByRole("heading", { name: "Online (3)" })).toBeVisible();
    await expect(alice.locator(".message-list")).toContainText("and carol through nginx");
    await expect(bob.locator(".message-list")).toContainText("and carol through nginx");
  } finally {
    await cluster.dispose();
  }
});
