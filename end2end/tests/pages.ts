// What every browser test does: open a page in its own context (closed after
// the test), sign up, say something, read the messages shown.
import AxeBuilder from "@axe-core/playwright";
import { Browser, BrowserContext, BrowserContextOptions, expect, Page } from "@playwright/test";

export const PASSWORD = "password-123";

const contexts: BrowserContext[] = [];

/** What the pages of the running test logged as errors (console errors and
 * uncaught exceptions), and what the test said it provokes on purpose. */
const consoleErrors: string[] = [];
const expectedErrors: RegExp[] = [];

/** Says that the running test provokes console errors matching `pattern`
 * (a server it stops, a request it makes fail): those do not fail it. */
export function allowConsoleErrors(pattern: RegExp): void {
  expectedErrors.push(pattern);
}

/** Records each error as `[page's address] text (where)`. */
function watchConsole(page: Page): void {
  page.on("console", (message) => {
    if (message.type() === "error") {
      const where = message.location().url;
      consoleErrors.push(`[${page.url()}] ${message.text()}${where ? ` (${where})` : ""}`);
    }
  });
  page.on("pageerror", (error) => consoleErrors.push(`[${page.url()}] uncaught: ${error.message}`));
}

/** Closes every context a test opened: call from each spec's `test.afterEach`,
 * so no page of a finished test keeps reconnecting in the background. Fails
 * the test if any of its pages logged an error it did not expect: a page that
 * works logs none. */
export async function closePages(): Promise<void> {
  await closeContexts();
  const unexpected = consoleErrors
    .splice(0)
    .filter((text) => !expectedErrors.some((pattern) => pattern.test(text)));
  expectedErrors.splice(0);
  expect(unexpected, "errors in the browser console").toEqual([]);
}

/** Closes the test's pages without judging them: servers call this before
 * they stop at the end of a test, so no page sees its server go away. */
export async function closeContexts(): Promise<void> {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
}

export async function newPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(options);
  contexts.push(context);
  context.on("page", watchConsole);
  return context.newPage();
}

/** Fills and submits the sign-in form (it is already shown). */
export async function signIn(page: Page, name: string): Promise<void> {
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signUp(
  browser: Browser,
  base: string,
  name: string,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const page = await newPage(browser, options);
  await page.goto(base);
  await page.getByRole("button", { name: "New here? Create an account" }).click();
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Connected")).toBeVisible();
  await expect(page.getByRole("heading", { name: "#general" })).toBeVisible();
  return page;
}

export async function say(page: Page, text: string, label = "#general"): Promise<void> {
  const box = page.getByLabel(`Message ${label}`);
  await box.fill(text);
  await box.press("Enter");
}

/** Joins a public room the user is not in, from "Browse rooms". */
export async function joinRoom(page: Page, room: string): Promise<void> {
  await page.getByRole("navigation", { name: "Rooms" }).getByRole("button", { name: "Browse rooms" }).click();
  const panel = page.getByRole("complementary", { name: "Browse rooms" });
  await panel.getByLabel("Find rooms by name or topic").fill(room);
  await panel.getByRole("button", { name: `Join #${room}` }).click();
  await expect(page.getByRole("heading", { name: `#${room}` })).toBeVisible();
}

/** The bodies of the stored (not pending) messages, in the order shown. */
export async function bodies(page: Page): Promise<string[]> {
  return page.locator(".message-list .message:not(.pending) .body").allTextContents();
}

/** Waits until `page` is connected again, pressing "Retry now" if it is still
 * waiting for its next attempt (it may already have reconnected by itself). */
export async function reconnected(page: Page): Promise<void> {
  const retry = page.getByRole("button", { name: "Retry now" });
  const connected = page.getByText("Connected");
  await expect(retry.or(connected).first()).toBeVisible();
  // The button goes away by itself when an attempt succeeds: then there is
  // nothing to press.
  if (await retry.isVisible()) await retry.click({ timeout: 2_000 }).catch(() => {});
  await expect(connected).toBeVisible();
}

/** Dismisses every dialog `page` opens and answers how many there were: text a
 * user typed must never open one. */
export function watchDialogs(page: Page): () => number {
  let dialogs = 0;
  page.on("dialog", async (d) => {
    dialogs++;
    await d.dismiss();
  });
  return () => dialogs;
}

/** axe finds nothing wrong in `selector` of `page`, at 1280 px and at 360 px
 * (the width of a small phone); the page is left at 1280 px. */
export async function axeClean(page: Page, selector: string): Promise<void> {
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: width === 360 ? 740 : 800 });
    const scan = await new AxeBuilder({ page }).include(selector).analyze();
    expect(scan.violations, `${selector} at ${width} px: ${JSON.stringify(scan.violations, null, 2)}`).toEqual([]);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}
