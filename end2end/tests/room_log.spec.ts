// The room log as two people use it in Chromium: Markdown, editing, deleting,
// reacting, replying in a thread and mentioning with autocomplete — and
// nothing a user types can run in the other's page.
import AxeBuilder from "@axe-core/playwright";
import { expect, Page, test } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { closePages, say, signUp, watchDialogs } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

/** The message row showing `text`, in the room's list. */
const row = (page: Page, text: string) =>
  page.locator(".messages .message-list > .message", { hasText: text });

test("edit, delete, react, reply in a thread, mention with autocomplete; Markdown renders and stays harmless", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    const dialogs = watchDialogs(bob);

    // Markdown renders; HTML stays text; a javascript: link is no link.
    await say(alice, "**bold**, _italic_ and `code`\n\n- one\n- two");
    await expect(row(bob, "bold").locator("strong")).toHaveText("bold");
    await expect(row(bob, "bold").locator("em")).toHaveText("italic");
    await expect(row(bob, "bold").locator("code")).toHaveText("code");
    await expect(row(bob, "bold").locator("li")).toHaveText(["one", "two"]);
    await say(alice, "<img src=x onerror=alert(1)>");
    await say(alice, "[x](javascript:alert(1)) and [docs](https://example.com/docs)");
    await expect(row(bob, "onerror")).toContainText("<img src=x onerror=alert(1)>");
    await expect(bob.locator(".message-list img")).toHaveCount(0);
    await expect(bob.locator('.message-list a[href^="javascript"]')).toHaveCount(0);
    const docs = bob.getByRole("link", { name: "docs" });
    await expect(docs).toHaveAttribute("href", "https://example.com/docs");
    await expect(docs).toHaveAttribute("rel", "noopener noreferrer nofollow");
    await expect(row(bob, "and docs").locator(".unsafe-link")).toHaveText("x");

    // Alice edits her typo; Bob sees the new text, marked edited.
    await say(alice, "helo wrold");
    await row(alice, "helo wrold").hover();
    await row(alice, "helo wrold").getByRole("button", { name: "Edit" }).click();
    const editBox = alice.getByLabel("Edit message");
    await editBox.fill("hello world");
    await editBox.press("Enter");
    await expect(row(bob, "hello world")).toContainText("(edited)");
    await expect(row(bob, "helo wrold")).toHaveCount(0);
    // Bob can't edit or delete Alice's message: no such buttons for him.
    await row(bob, "hello world").hover();
    await expect(row(bob, "hello world").getByRole("button", { name: "Edit" })).toHaveCount(0);

    // Bob reacts by keyboard: Tab into the message, open the picker, choose.
    await row(bob, "hello world").focus();
    await bob.keyboard.press("Tab"); // the first action: add a reaction
    await expect(row(bob, "hello world").getByRole("button", { name: "Add a reaction" })).toBeFocused();
    await bob.keyboard.press("Enter");
    await row(bob, "hello world").getByRole("button", { name: "React with 🎉" }).click();
    await expect(row(alice, "hello world").locator(".reaction")).toHaveText("🎉 1");
    await expect(row(bob, "hello world").locator(".reaction.mine")).toHaveText("🎉 1");
    // Alice adds hers by clicking the reaction shown.
    await row(alice, "hello world").locator(".reaction").click();
    await expect(row(bob, "hello world").locator(".reaction")).toHaveText("🎉 2");
    await row(alice, "hello world").locator(".reaction").click();
    await expect(row(bob, "hello world").locator(".reaction")).toHaveText("🎉 1");

    // Bob answers in a thread; the reply shows there, and its count on the root.
    await row(bob, "hello world").hover();
    await row(bob, "hello world").getByRole("button", { name: "Reply" }).click();
    const bobThread = bob.getByRole("complementary", { name: "Thread" });
    await bobThread.getByLabel("Reply in the thread").fill("agreed, ship it");
    await bobThread.getByLabel("Reply in the thread").press("Enter");
    await expect(bobThread).toContainText("agreed, ship it");
    await row(alice, "hello world").getByRole("button", { name: "1 reply" }).click();
    const aliceThread = alice.getByRole("complementary", { name: "Thread" });
    await expect(aliceThread).toContainText("agreed, ship it");
    await expect(alice.locator(".messages")).not.toContainText("agreed, ship it");

    // Axe finds nothing wrong with the thread and the picker open.
    await row(bob, "hello world").hover();
    await row(bob, "hello world").getByRole("button", { name: "Add a reaction" }).click();
    await expect(row(bob, "hello world").getByRole("button", { name: "React with 👍" })).toBeVisible();
    const open = await new AxeBuilder({ page: bob }).analyze();
    expect(open.violations, JSON.stringify(open.violations, null, 2)).toEqual([]);
    mkdirSync("artifacts", { recursive: true });
    await bob.screenshot({ path: "artifacts/room-log-1280.png" });
    await aliceThread.getByRole("button", { name: "Close the thread" }).click();
    await expect(aliceThread).toHaveCount(0);

    // Alice deletes a message: it is gone for Bob too.
    await say(alice, "oops, wrong room");
    await row(alice, "oops, wrong room").hover();
    await row(alice, "oops, wrong room").getByRole("button", { name: "Delete" }).click();
    await row(alice, "oops, wrong room").getByRole("button", { name: "Confirm delete" }).click();
    await expect(bob.locator(".messages")).not.toContainText("oops, wrong room");
    await expect(bob.locator(".messages")).toContainText("This message was deleted.");

    // Alice mentions Bob, completing his name from the list.
    const composer = alice.getByLabel("Message #general");
    await composer.pressSequentially("ping @b");
    await expect(alice.getByRole("option", { name: "@bob" })).toBeVisible();
    await composer.press("Enter");
    await expect(composer).toHaveValue("ping @bob ");
    await composer.pressSequentially("have a look");
    await composer.press("Enter");
    await expect(bob.locator(".message.mentions-me")).toContainText("ping @bob have a look");
    await expect(bob.locator(".message.mentions-me mark.mention")).toHaveText("@bob");
    await expect(alice.locator(".message.mentions-me")).toHaveCount(0);

    await bob.waitForTimeout(300);
    expect(dialogs()).toBe(0);
    const after = await new AxeBuilder({ page: alice }).analyze();
    expect(after.violations, JSON.stringify(after.violations, null, 2)).toEqual([]);
  } finally {
    await server.dispose();
  }
});
