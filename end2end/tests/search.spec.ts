// Search as a user does it in Chromium: from the keyboard, results with the
// matched words marked (and markup shown as text), a click that lands on the
// message in its room's history, then back to the latest messages.
import { expect, test } from "@playwright/test";
import { bodies, closePages, say, signUp, watchDialogs } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

const FAST = ["--rate-per-sec", "1000", "--rate-burst", "1000", "--user-rate-per-sec", "1000", "--user-rate-burst", "1000"];

test("search from the keyboard, open a result and land on the message", async ({ browser }) => {
  const server = await ConfabServer.start(FAST);
  try {
    const alice = await signUp(browser, server.url, "alice");
    // 30 messages, the one to find, then 120 more: the latest page no longer
    // holds it, and it has history on both sides.
    const bodiesSent = [
      ...Array.from({ length: 30 }, (_, i) => `early ${i + 1}`),
      "The quarterly <b>budget</b> is approved",
      ...Array.from({ length: 120 }, (_, i) => `filler ${i + 1}`),
    ];
    await alice.evaluate(async (all) => {
      const ws = new WebSocket(location.origin.replace(/^http/, "ws") + "/ws");
      await new Promise((r) => (ws.onopen = r));
      for (const body of all) {
        // One at a time: each stored before the next, in this order.
        await new Promise<void>((resolve) => {
          ws.onmessage = (e) => {
            if (JSON.parse(e.data).type === "ack") resolve();
          };
          ws.send(JSON.stringify({ type: "send", room: "general", client_msg_id: crypto.randomUUID(), body }));
        });
      }
      ws.close();
    }, bodiesSent);

    const bob = await signUp(browser, server.url, "bob");
    const dialogs = watchDialogs(bob);
    await expect(bob.locator(".message-list")).toContainText("filler 120");
    expect(await bodies(bob)).not.toContain("The quarterly <b>budget</b> is approved");

    // Ctrl+K from anywhere puts the cursor in the search box.
    await bob.locator(".messages").click();
    await bob.keyboard.press("Control+k");
    const box = bob.getByLabel("Search messages");
    await expect(box).toBeFocused();
    await box.fill("BUDGET");
    await box.press("Enter");
    const panel = bob.getByRole("region", { name: "Search results" });
    await expect(panel.getByRole("status")).toHaveText("1 result for “BUDGET”");
    const hit = panel.locator(".search-hit");
    await expect(hit).toHaveCount(1);
    await expect(hit.locator("mark")).toHaveText("budget");
    await expect(hit.locator(".text")).toHaveText("The quarterly <b>budget</b> is approved");
    await expect(hit.locator("b")).toHaveCount(0);

    // Opening it lands on the message, in its place in the room's history.
    await hit.click();
    const target = bob.locator(".message.focused");
    await expect(target).toContainText("The quarterly <b>budget</b> is approved");
    await expect(target).toBeInViewport();
    const shown = await bodies(bob);
    const at = shown.indexOf("The quarterly <b>budget</b> is approved");
    expect(shown[at - 1]).toBe("early 30");
    expect(shown[at + 1]).toBe("filler 1");
    expect(shown).not.toContain("filler 120");
    await expect(bob.getByRole("button", { name: "Load newer messages" })).toBeVisible();

    // A live message waits until the view reaches the present, then shows once.
    await say(alice, "filler live");
    await bob.getByRole("button", { name: "Jump to latest" }).click();
    await expect(bob.locator(".message-list")).toContainText("filler live");
    await expect.poll(async () => (await bodies(bob)).filter((b) => b === "filler live").length).toBe(1);
    await expect(bob.locator(".message.focused")).toHaveCount(0);

    // `/` opens search too, when not typing; Escape closes the panel.
    await bob.locator(".messages").click();
    await bob.keyboard.press("/");
    await expect(box).toBeFocused();
    await box.press("Escape");
    await expect(panel).toHaveCount(0);
    expect(dialogs()).toBe(0);
  } finally {
    await server.dispose();
  }
});
