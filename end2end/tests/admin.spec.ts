// Running an organization from the browser: an owner adds people to a
// private room from its member list and appoints a moderator, who removes
// a message; an admin deactivates a user from the admin console (their
// open tab is signed out), makes an invite link that signs a colleague up,
// and reads the audit log. Every new panel is checked with axe at 1280 px
// and 360 px.
import { expect, test } from "@playwright/test";
import { allowConsoleErrors, axeClean, closePages, newPage, say, signIn, signUp } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

test("an owner adds people to a private room and appoints a moderator who removes a message", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");
    const carol = await signUp(browser, server.url, "carol");
    await alice.getByLabel("New room").fill("team");
    await alice.getByLabel("Private (members only)").check();
    await alice.getByRole("button", { name: "Create" }).click();
    await expect(alice.getByRole("heading", { name: "#team" })).toBeVisible();

    // From the member list, with the directory's search.
    await alice.getByRole("toolbar", { name: "Room" }).getByRole("button", { name: "Members" }).click();
    const members = alice.getByRole("complementary", { name: "Members" });
    for (const name of ["bob", "carol"]) {
      await members.getByLabel("Add people").fill(name);
      await members.getByRole("button", { name: `Add ${name} to the room` }).click();
      await expect(members.locator(".member", { hasText: name })).toBeVisible();
    }
    await expect(members.getByRole("heading")).toContainText("Members (3");
    await axeClean(alice, ".members");

    // They find the room in their sidebars at once.
    for (const page of [bob, carol]) {
      const link = page.getByRole("navigation", { name: "Rooms" }).getByRole("link", { name: /team/ });
      await link.click();
      await expect(page.getByRole("heading", { name: "#team" })).toBeVisible();
    }
    await say(carol, "cheap watches, click here", "#team");
    await expect(bob.locator(".message-list")).toContainText("cheap watches");
    // A member may not delete it.
    const row = bob.locator(".message", { hasText: "cheap watches" });
    await row.focus();
    await expect(row.getByRole("button", { name: "Delete" })).toHaveCount(0);

    // The owner makes Bob a moderator; his screen offers "Delete" then.
    await members.getByLabel("Role of bob").selectOption("moderator");
    await expect(row.getByRole("button", { name: "Delete" })).toHaveCount(1);
    await row.focus();
    await row.getByRole("button", { name: "Delete" }).click();
    await row.getByRole("button", { name: "Confirm delete" }).click();
    for (const page of [alice, bob, carol]) {
      await expect(page.locator(".message-list")).toContainText("This message was deleted by a moderator.");
      await expect(page.locator(".message-list")).not.toContainText("cheap watches");
    }

    // The owner renames the room and archives it: read-only for everyone.
    const bar = alice.getByRole("toolbar", { name: "Room" });
    await bar.getByRole("button", { name: "Rename" }).click();
    await alice.getByLabel("New name").fill("crew");
    await alice.getByRole("button", { name: "Rename", exact: true }).click();
    await expect(carol.getByRole("heading", { name: "#crew" })).toBeVisible();
    await bar.getByRole("button", { name: "Archive" }).click();
    for (const page of [alice, carol]) {
      await expect(page.getByText("This room is archived: it is read-only.")).toBeVisible();
      await expect(page.getByLabel("Message #crew")).toHaveCount(0);
    }
    await bar.getByRole("button", { name: "Unarchive" }).click();
    await expect(carol.getByLabel("Message #crew")).toBeVisible();
  } finally {
    await server.dispose();
  }
});

test("the admin console deactivates a user whose open tab is signed out, invites by link and shows the audit log", async ({ browser }) => {
  const server = await ConfabServer.start(["--admins", "root"]);
  try {
    // --admins names accounts that exist when the server starts.
    const first = await signUp(browser, server.url, "root");
    await first.close();
    await server.restart();
    const root = await newPage(browser);
    await root.goto(server.url);
    await signIn(root, "root");
    await expect(root.getByText("Connected")).toBeVisible();
    const mallory = await signUp(browser, server.url, "mallory");

    await root.getByRole("banner").getByRole("button", { name: "Admin" }).click();
    const consolePanel = root.getByRole("complementary", { name: "Admin console" });
    await consolePanel.getByLabel("Find users by name").fill("mall");
    const item = consolePanel.locator(".person-item", { hasText: "mallory" });
    await expect(item).toBeVisible();
    await axeClean(root, ".admin-console");
    await item.getByRole("button", { name: "Deactivate mallory" }).click();
    await expect(item).toContainText("deactivated");
    // Her open tab is signed out at once: its session's renewal is refused
    // (401), and so is signing in again (403), as the browser logs.
    allowConsoleErrors(/401 \(Unauthorized\) \(.*\/api\/auth\/refresh\)/);
    allowConsoleErrors(/403 \(Forbidden\) \(.*\/api\/auth\/login\)/);
    await expect(mallory.getByRole("heading", { name: "Sign in to Confab" })).toBeVisible();
    await signIn(mallory, "mallory");
    await expect(mallory.getByText("this account is disabled")).toBeVisible();

    // Invite-only sign-up, and a link that signs a colleague up.
    await consolePanel.getByRole("tab", { name: "Sign-up" }).click();
    await consolePanel.getByLabel("Invite only: an invite link is needed").check();
    await expect(consolePanel.getByRole("status")).toContainText("Sign-up is now by invite link only");
    await axeClean(root, ".admin-console");
    await consolePanel.getByRole("tab", { name: "Invites" }).click();
    await consolePanel.getByRole("button", { name: "Make an invite link" }).click();
    const link = consolePanel.locator(".invite-item input").first();
    await expect(link).toHaveValue(/\/\?invite=[0-9a-f]+$/);
    await axeClean(root, ".admin-console");
    const invited = await newPage(browser);
    await invited.goto(await link.inputValue());
    await expect(invited.getByRole("heading", { name: "Create your account" })).toBeVisible();
    await invited.getByLabel("Username").fill("newcomer");
    await invited.getByLabel("Password").fill("password-123");
    await invited.getByRole("button", { name: "Create account" }).click();
    await expect(invited.getByText("Connected")).toBeVisible();
    await consolePanel.getByRole("tab", { name: "Users" }).click();
    await consolePanel.getByRole("tab", { name: "Invites" }).click();
    await expect(consolePanel.locator(".invite-item").first()).toContainText("used up");

    // The audit log says who did what.
    await consolePanel.getByRole("tab", { name: "Audit log" }).click();
    const audit = consolePanel.locator("table.audit");
    await expect(audit.locator("tr", { hasText: "user.deactivate" })).toContainText("mallory");
    await expect(audit.locator("tr", { hasText: "invite.create" })).toContainText("root");
    await consolePanel.getByLabel("What").selectOption("auth.");
    await consolePanel.getByRole("button", { name: "Show" }).click();
    await expect(audit.locator("tbody tr", { hasText: "user.deactivate" })).toHaveCount(0);
    await expect(audit.locator("tbody tr", { hasText: "auth.sign_in_failed" })).toContainText("mallory");
    await expect(consolePanel.getByRole("link", { name: "Export JSON lines" })).toHaveAttribute("href", /\/api\/admin\/audit\/export\?action=auth\./);
    await axeClean(root, ".admin-console");
  } finally {
    await server.dispose();
  }
});
