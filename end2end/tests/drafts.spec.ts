// Drafts: what is typed and not sent shows in the user's other tab, stays
// after a reload, and is gone everywhere once sent.
import { expect, test } from "@playwright/test";
import { closePages, signUp } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

test("a draft typed in one tab appears in the other and survives a reload", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const laptop = await signUp(browser, server.url, "alice");
    const phone = await laptop.context().newPage();
    await phone.goto(server.url);
    await expect(phone.getByText("Connected")).toBeVisible();

    const typed = laptop.getByLabel("Message #general");
    await typed.pressSequentially("a half-written thought");
    await expect(phone.getByLabel("Message #general")).toHaveValue("a half-written thought");

    // A reload brings it back from the server.
    await phone.reload();
    await expect(phone.getByText("Connected")).toBeVisible();
    await expect(phone.getByLabel("Message #general")).toHaveValue("a half-written thought");

    // Sent from the laptop: gone on the phone too.
    await typed.press("Enter");
    await expect(laptop.locator(".message-list")).toContainText("a half-written thought");
    await expect(phone.getByLabel("Message #general")).toHaveValue("");
  } finally {
    await server.dispose();
  }
});

test("a thread's reply draft is kept too, and cleared by replying", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const laptop = await signUp(browser, server.url, "alice");
    const phone = await laptop.context().newPage();
    await phone.goto(server.url);
    await expect(phone.getByText("Connected")).toBeVisible();
    await laptop.getByLabel("Message #general").fill("the plan for friday");
    await laptop.getByLabel("Message #general").press("Enter");
    const root = laptop.locator(".message", { hasText: "the plan for friday" });
    await root.focus();
    await root.getByRole("button", { name: "Reply" }).click();
    await laptop.getByLabel("Reply in the thread").pressSequentially("half a reply");

    // The other tab has it in the same thread, not in the room's box.
    const phoneRoot = phone.locator(".message", { hasText: "the plan for friday" });
    await phoneRoot.focus();
    await phoneRoot.getByRole("button", { name: "Reply" }).click();
    await expect(phone.getByLabel("Reply in the thread")).toHaveValue("half a reply");
    await expect(phone.getByLabel("Message #general")).toHaveValue("");

    // Replying clears it on the other tab.
    await laptop.getByLabel("Reply in the thread").press("Enter");
    await expect(laptop.getByRole("complementary", { name: "Thread" })).toContainText("half a reply");
    await expect(phone.getByLabel("Reply in the thread")).toHaveValue("");
  } finally {
    await server.dispose();
  }
});
