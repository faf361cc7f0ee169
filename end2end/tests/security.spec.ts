// Security as a browser sees it: the CSP, private rooms and direct messages, a
// hostile page on another origin, and sessions that renew themselves (or ask to
// sign in again) without losing what the user typed.
import { expect, test } from "@playwright/test";
import { allowConsoleErrors, closePages, newPage, PASSWORD, say, signIn, signUp } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

test("the Content Security Policy blocks an injected inline script while the app runs", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const violations: string[] = [];
    const alice = await newPage(browser);
    alice.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await alice.goto(server.url);
    await alice.getByRole("button", { name: "New here? Create an account" }).click();
    await alice.getByLabel("Username").fill("alice");
    await alice.getByLabel("Password").fill(PASSWORD);
    await alice.getByRole("button", { name: "Create account" }).click();
    await expect(alice.getByText("Connected")).toBeVisible();
    expect(violations, "the app itself runs within the policy").toEqual([]);

    // An attacker's inline script, however it got into the page, does not run
    // (and the browser says so).
    allowConsoleErrors(/Executing inline script violates the following Content Security Policy/);
    await alice.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.__injected = true";
      document.body.appendChild(script);
    });
    expect(await alice.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    await expect.poll(() => violations.length).toBeGreaterThan(0);

    // And the app still works.
    await say(alice, "still here");
    await expect(alice.locator(".message-list")).toContainText("still here");
    await expect(alice.locator(".message.pending")).toHaveCount(0);
  } finally {
    await server.dispose();
  }
});

test("a private room and a direct message work for their members and are invisible to a third user", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    const carol = await signUp(browser, server.url, "carol");
    // Alice makes a private room and adds Bob (the API, from her page, with her cookie).
    await alice.getByLabel("New room").fill("secret");
    await alice.getByLabel("Private (members only)").check();
    await alice.getByRole("button", { name: "Create" }).click();
    await expect(alice.getByRole("heading", { name: "#secret" })).toBeVisible();
    await say(alice, "private hello", "#secret");
    const added = await alice.evaluate(async () => {
      const r = await fetch("/api/rooms/secret/members", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user: "bob" }),
      });
      return r.status;
    });
    expect(added).toBe(201);

    // And opens a direct conversation with Bob.
    await alice.getByLabel("Message someone").fill("bob");
    await alice.getByRole("button", { name: "Open" }).click();
    await expect(alice.getByRole("heading", { name: "@bob" })).toBeVisible();
    await say(alice, "dm hello", "@bob");
    await expect(alice.locator(".message.pending")).toHaveCount(0);

    // Bob sees both.
    await bob.reload();
    const bobRooms = bob.getByRole("navigation", { name: "Rooms" });
    await bobRooms.getByRole("link", { name: "# secret (private)" }).click();
    await expect(bob.locator(".message-list")).toContainText("private hello");
    await bobRooms.getByRole("link", { name: "@ alice" }).click();
    await expect(bob.getByRole("heading", { name: "@alice" })).toBeVisible();
    await expect(bob.locator(".message-list")).toContainText("dm hello");
    await say(bob, "dm reply", "@alice");
    await expect(alice.locator(".message-list")).toContainText("dm reply");

    // Carol sees neither, and cannot get in by address.
    await carol.reload();
    const carolRooms = carol.getByRole("navigation", { name: "Rooms" });
    await expect(carolRooms).toContainText("general");
    await expect(carolRooms).not.toContainText("secret");
    await expect(carolRooms.getByRole("link", { name: /^@ / })).toHaveCount(0);
    await carol.goto(`${server.url}/#secret`);
    await carol.reload();
    await expect(carol.getByRole("alert")).toContainText("not a member");
    await expect(carol.locator(".message-list")).not.toContainText("private hello");
  } finally {
    await server.dispose();
  }
});

test("a page on another origin can't open an authenticated socket or post with the cookie", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    // The attacker's page, in the same browser (so alice's cookies are there).
    await alice.context().route("http://attacker.test/**", (route) =>
      route.fulfill({ contentType: "text/html", body: "<!doctype html><title>win a prize</title>" }),
    );
    const evil = await alice.context().newPage();
    // The attacker's page is refused: the browser logs each refusal there.
    allowConsoleErrors(/^\[http:\/\/attacker\.test\/\] /);
    await evil.goto("http://attacker.test/");
    const attempt = await evil.evaluate(async (target) => {
      const socket = await new Promise<string>((resolve) => {
        const ws = new WebSocket(target.replace(/^http/, "ws") + "/ws");
        ws.onopen = () => resolve("opened");
        ws.onerror = () => resolve("refused");
        setTimeout(() => resolve("timeout"), 5000);
      });
      const post = async (contentType: string) => {
        try {
          await fetch(target + "/api/rooms", {
            method: "POST",
            mode: "no-cors",
            credentials: "include",
            headers: { "content-type": contentType },
            body: JSON.stringify({ name: "pwned", kind: "public" }),
          });
        } catch {
          // blocked in the browser: fine too
        }
      };
      await post("text/plain");
      await post("application/json");
      return socket;
    }, server.url);
    expect(attempt).toBe("refused");
    // Nothing was created in alice's name.
    const rooms = await alice.evaluate(async () => (await fetch("/api/rooms")).json());
    expect(rooms.map((r: { id: string }) => r.id)).not.toContain("pwned");
    // Alice's own page is unaffected.
    await say(alice, "still fine");
    await expect(alice.locator(".message.pending")).toHaveCount(0);
  } finally {
    await server.dispose();
  }
});

test("an expiring session renews itself; one that can't, asks to sign in and keeps the draft", async ({ browser }) => {
  // Access tokens live 2 s: the socket is closed with 4001 every 2 s, and
  // each renewal opens a new one (counted here, so the test waits for the
  // expiries themselves, not for a guess at how long they take).
  const server = await ConfabServer.start(["--access-ttl-secs", "2"]);
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    let renewed = 0;
    alice.on("websocket", () => {
      renewed += 1;
    });
    const box = alice.getByLabel("Message #general");
    await box.fill("a half-written thought");
    // Across two expiries: renewed in place, nothing missed, the draft untouched.
    await expect.poll(() => renewed, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await say(bob, "said while alice renewed");
    await expect.poll(() => renewed, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await expect(alice.getByText("Connected")).toBeVisible();
    await expect(alice.locator(".message-list")).toContainText("said while alice renewed");
    await expect(box).toHaveValue("a half-written thought");
    await box.press("Enter");
    await expect(bob.locator(".message-list")).toContainText("a half-written thought");

    // Now the refresh cookie is gone (say, cleared by the browser): at the next
    // expiry the UI can't renew and asks to sign in, keeping what was typed.
    await box.fill("typed before the session ended");
    await alice.context().clearCookies({ name: "confab_refresh" });
    // The browser logs every refusal: this renewal's, and that of any call
    // the page makes as a 2-second token lapses, before its renewal (the
    // profile of whoever just wrote, fetched again once renewed).
    allowConsoleErrors(/status of 401 \(Unauthorized\) \(http:\/\/[^)]*\/api\/(auth\/refresh|users\?ids=[^)]*)\)$/);
    await expect(alice.getByText("Your session has ended")).toBeVisible({ timeout: 10_000 });
    await signIn(alice, "alice");
    await expect(alice.getByText("Connected")).toBeVisible();
    await expect(box).toHaveValue("typed before the session ended");
    await box.press("Enter");
    await expect(bob.locator(".message-list")).toContainText("typed before the session ended");
  } finally {
    await server.dispose();
  }
});
