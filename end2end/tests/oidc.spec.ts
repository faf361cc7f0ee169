// Signing in through a real OpenID provider (oidc-provider on loopback):
// "Sign in with …" on the sign-in page, the provider's own pages, back in the
// chat with an account of one's own, signing out and in again as the same
// account; a password account linked to the provider from Settings (with its
// password given again), listed there and unlinked; and what an attacker
// tries: linking with a token seen once, or putting words on the failure page.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, Page, test } from "@playwright/test";
import { allowConsoleErrors, closePages, newPage, PASSWORD, say, signUp } from "./pages";
import { freePort, ConfabServer } from "./server";
import { TestProvider } from "./oidc_provider";

test.afterEach(closePages);

/** Signs in at the provider's development pages as `login`, and consents. */
async function atProvider(page: Page, provider: TestProvider, login: string): Promise<void> {
  // The stand-in provider's own pages (oidc-provider's, not Confab's) ask
  // for a web font this machine cannot reach and a favicon it lacks.
  allowConsoleErrors(/\(https:\/\/fonts\.googleapis\.com\//);
  allowConsoleErrors(new RegExp(`\\(${provider.issuer.replace(/[.]/g, "\\.")}/favicon\\.ico\\)$`));
  await expect(page).toHaveURL(new RegExp(`^${provider.issuer}/`));
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

async function inChatAs(page: Page, url: string, name: string): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`^${url}/(#.*)?$`));
  await expect(page.getByText("Connected")).toBeVisible();
  await expect(page.getByRole("heading", { name: "#general" })).toBeVisible();
  await expect(page.locator(".whoami")).toHaveText(name);
}

test("sign in through the OpenID provider, chat, sign out, and come back as the same account", async ({ browser }) => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const provider = await TestProvider.start(url);
  const server = await ConfabServer.start(provider.flags(url, true), port);
  try {
    const page = await newPage(browser);
    await page.goto(url);
    await page.getByRole("link", { name: "Sign in with Test SSO" }).click();
    await atProvider(page, provider, "ada");
    await inChatAs(page, url, "ada");
    await say(page, "signed in through SSO");
    await expect(page.locator(".message-list")).toContainText("signed in through SSO");
    // The same cookies as a password sign-in: the API knows who this is.
    const me = await page.evaluate(async () => (await fetch("/api/auth/me")).json());
    expect(me.user.name).toBe("ada");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
    const session = await page.evaluate(async () => (await fetch("/api/auth/session")).json());
    expect(session.user).toBeNull();

    // Again: the provider remembers the person, and Confab the account.
    await page.getByRole("link", { name: "Sign in with Test SSO" }).click();
    if (page.url().startsWith(provider.issuer)) await atProvider(page, provider, "ada");
    await inChatAs(page, url, "ada");
    await expect(page.locator(".message-list")).toContainText("signed in through SSO");
  } finally {
    await server.dispose();
    await provider.stop();
  }
});

test("a password account is linked from Settings; without auto-provisioning a stranger is turned away", async ({ browser }) => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const provider = await TestProvider.start(url);
  const server = await ConfabServer.start(provider.flags(url, false), port);
  try {
    // Nobody is linked to "grace" at the provider: no account is made.
    // Refusals are pages with an error status, which the browser logs.
    allowConsoleErrors(/status of 40[03] .*\/api\/auth\/oidc\/(callback|link)\b/);
    const stranger = await newPage(browser);
    await stranger.goto(url);
    await stranger.getByRole("link", { name: "Sign in with Test SSO" }).click();
    await atProvider(stranger, provider, "grace");
    await expect(stranger.getByRole("alert")).toContainText("no Confab account is linked");

    // Alice links her account, then signs in with the provider alone.
    const alice = await signUp(browser, url, "alice");
    // Another tab of hers will be told of the link the moment it is made.
    const otherTab = await alice.context().newPage();
    await otherTab.goto(url);
    await expect(otherTab.getByText("Connected")).toBeVisible();
    await alice.getByRole("button", { name: "Settings" }).click();
    // The password given again: a wrong one links nothing.
    await alice.getByLabel("Your password, to link another sign-in").fill("not-her-password");
    await alice.getByRole("button", { name: "Link my account to Test SSO" }).click();
    await expect(alice.getByRole("alert")).toContainText("wrong password");
    await alice.getByLabel("Your password, to link another sign-in").fill(PASSWORD);
    await alice.getByRole("button", { name: "Link my account to Test SSO" }).click();
    await atProvider(alice, provider, "alice-at-work");
    await inChatAs(alice, url, "alice");
    await expect(otherTab.getByRole("alert")).toContainText("was linked to your account");
    await otherTab.close();
    await alice.getByRole("button", { name: "Sign out" }).click();
    await alice.getByRole("link", { name: "Sign in with Test SSO" }).click();
    if (alice.url().startsWith(provider.issuer)) await atProvider(alice, provider, "alice-at-work");
    await inChatAs(alice, url, "alice");

    // Settings shows the identity (accessibly, at 1280 px and 360 px);
    // unlinked there, it signs nobody in.
    await alice.getByRole("button", { name: "Settings" }).click();
    const unlink = alice.getByRole("button", { name: `Unlink alice-at-work at ${provider.issuer}` });
    await expect(unlink).toBeVisible();
    for (const width of [1280, 360]) {
      await alice.setViewportSize({ width, height: width === 360 ? 740 : 800 });
      await unlink.scrollIntoViewIfNeeded();
      await expect(unlink).toBeInViewport();
      const scan = await new AxeBuilder({ page: alice }).include(".settings").analyze();
      expect(scan.violations, JSON.stringify(scan.violations, null, 2)).toEqual([]);
      await alice.screenshot({ path: `test-results/settings-sso-${width}.png` });
    }
    await alice.setViewportSize({ width: 1280, height: 800 });
    // By keyboard: the password field, then the button that links.
    await alice.getByLabel("Your password, to link another sign-in").focus();
    await alice.keyboard.press("Tab");
    await expect(alice.getByRole("button", { name: "Link my account to Test SSO" })).toBeFocused();
    await unlink.click();
    await expect(unlink).toHaveCount(0);
    await expect(alice.getByRole("alert").filter({ hasText: "was unlinked from your account" })).toBeVisible();
    await alice.getByRole("button", { name: "Sign out" }).click();
    await alice.getByRole("link", { name: "Sign in with Test SSO" }).click();
    if (alice.url().startsWith(provider.issuer)) await atProvider(alice, provider, "alice-at-work");
    await expect(alice.getByRole("alert")).toContainText("no Confab account is linked");
  } finally {
    await server.dispose();
    await provider.stop();
  }
});

test("an imported person signs in through SSO into the account the import made them", async ({ browser }) => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const provider = await TestProvider.start(url);
  // No accounts made for strangers: the imported one is found by its
  // e-mail, which the provider says it verified.
  const server = await ConfabServer.start(provider.flags(url, false), port);
  const bin = process.env.CONFAB_BIN ?? "../target/debug/confab";
  const dir = mkdtempSync(join(tmpdir(), "confab-slack-"));
  try {
    const zip = join(dir, "slack.zip");
    execFileSync(join(dirname(bin), "confab-slack-export"), ["--out", zip, "--messages", "10"]);
    execFileSync(bin, ["--data-dir", server.dataDir, "import", "slack", zip], { stdio: "ignore" });
    const zoe = await newPage(browser);
    await zoe.goto(url);
    await zoe.getByRole("link", { name: "Sign in with Test SSO" }).click();
    await atProvider(zoe, provider, "zoe");
    await expect(zoe).toHaveURL(new RegExp(`^${url}/(#.*)?$`));
    await expect(zoe.getByText("Connected")).toBeVisible();
    const me = await zoe.evaluate(async () => (await fetch("/api/auth/me")).json());
    expect(me.user.name).toBe("zoe");
    // Her imported rooms are hers: the private channel she was in.
    await expect(zoe.getByRole("navigation", { name: "Rooms" }).getByRole("link", { name: /leadership/ })).toBeVisible();
  } finally {
    await server.dispose();
    await provider.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a bearer token seen once cannot link an identity, and the failure page says no attacker's words", async ({ browser, request }) => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const provider = await TestProvider.start(url);
  const server = await ConfabServer.start(provider.flags(url, false), port);
  // The failure pages come with an error status, which the browser logs.
  allowConsoleErrors(/status of 400 .*\/api\/auth\/oidc\/callback\?error=/);
  try {
    const registered = await request.post(`${url}/api/auth/register`, {
      data: { username: "victim", password: PASSWORD },
      headers: { Origin: url },
    });
    expect(registered.status()).toBe(201);
    const token = (await registered.json()).token as string;
    // A stolen access token, even with the password: the browser's session
    // is needed, never a bearer token.
    for (const data of [{}, { password: PASSWORD }]) {
      const linked = await request.post(`${url}/api/auth/oidc/link`, {
        data,
        headers: { Authorization: `Bearer ${token}` },
      });
      expect([403, 422]).toContain(linked.status());
      expect(JSON.stringify(await linked.json())).not.toContain(provider.issuer);
    }

    // The provider's error_description is not shown: a fixed sentence is.
    const page = await newPage(browser);
    const lure = "Your account is locked. Call +1 555 0100 to unlock it";
    await page.goto(
      `${url}/api/auth/oidc/callback?error=access_denied&error_description=${encodeURIComponent(lure)}`,
    );
    await expect(page.getByRole("alert")).toHaveText("The sign-in was cancelled or refused at the provider.");
    expect(await page.content()).not.toContain("555");
    await page.goto(`${url}/api/auth/oidc/callback?error=${encodeURIComponent(lure)}`);
    await expect(page.getByRole("alert")).toHaveText("The provider did not sign you in.");
  } finally {
    await server.dispose();
    await provider.stop();
  }
});
