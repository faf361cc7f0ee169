// Beyond the tab: the app is installable (a valid manifest, icons, a service
// worker that installs), and the sidebar shows pushes to this browser and
// the user's other subscribed devices, each removable. (Subscribing this
// browser needs a push service, which Chromium here cannot reach: the server
// side of pushes is tested against a loopback push service in the
// integration tests.)
import { createECDH, randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { PASSWORD, axeClean, closePages, newPage, signIn } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

test("the app installs: a valid manifest and a service worker", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const page = await newPage(browser);
    const manifest = await page.request.get(`${server.url}/manifest.webmanifest`);
    expect(manifest.status()).toBe(200);
    expect(manifest.headers()["content-type"]).toContain("manifest+json");
    const app = await manifest.json();
    expect(app).toMatchObject({ name: "Confab", start_url: "/", display: "standalone" });
    const sizes = app.icons.map((icon: { sizes: string }) => icon.sizes);
    expect(sizes).toEqual(expect.arrayContaining(["192x192", "512x512"]));
    for (const icon of app.icons) {
      const got = await page.request.get(`${server.url}${icon.src}`);
      expect(got.status(), icon.src).toBe(200);
      expect(got.headers()["content-type"]).toBe(icon.type);
    }
    await page.goto(server.url);
    await expect(page.locator('link[rel="manifest"]')).toHaveAttribute("href", "/manifest.webmanifest");
    const worker = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
    expect(worker).toBe(`${server.url}/sw.js`);
  } finally {
    await server.dispose();
  }
});

test("the sidebar lists the devices pushes go to, and removes one", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const registered = await fetch(`${server.url}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "alice", password: PASSWORD }),
    });
    const { token } = await registered.json();
    // Another device of Alice's, subscribed elsewhere.
    const device = createECDH("prime256v1");
    const subscribed = await fetch(`${server.url}/api/push/subscriptions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        "user-agent": "Mozilla/5.0 (Linux; Android 14) Firefox/131.0",
      },
      body: JSON.stringify({
        endpoint: "https://push.example.net/wpush/v2/abc",
        keys: { p256dh: device.generateKeys().toString("base64url"), auth: randomBytes(16).toString("base64url") },
        expirationTime: null,
      }),
    });
    expect(subscribed.status).toBe(201);

    const page = await newPage(browser);
    await page.goto(server.url);
    await signIn(page, "alice");
    await expect(page.getByText("Connected")).toBeVisible();
    const pushes = page.getByRole("region", { name: "Pushes to your devices" });
    await expect(pushes).toContainText("Pushes to this browser: off");
    await expect(pushes.getByRole("button", { name: "Turn on pushes here" })).toBeVisible();
    await pushes.getByText("Devices with pushes (1)").click();
    await expect(pushes.getByRole("listitem")).toContainText(["Firefox on Android"]);
    await axeClean(page, ".push");
    // Keyboard: the remove button takes focus and Enter.
    const remove = pushes.getByRole("button", { name: "Remove Firefox on Android" });
    await remove.focus();
    await page.keyboard.press("Enter");
    await expect(pushes.getByText(/Devices with pushes/)).toHaveCount(0);
    const listed = await fetch(`${server.url}/api/push/subscriptions`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await listed.json()).subscriptions).toEqual([]);
  } finally {
    await server.dispose();
  }
});

test("the sidebar sets where missed messages are mailed", async ({ browser }) => {
  // The mail server is never reached: nothing is missed here.
  const server = await ConfabServer.start(["--smtp-url", "smtp://127.0.0.1:9", "--public-url", "https://chat.example.com"]);
  try {
    const page = await newPage(browser);
    await page.goto(server.url);
    await page.getByRole("button", { name: "New here? Create an account" }).click();
    await page.getByLabel("Username").fill("bob");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText("Connected")).toBeVisible();
    const pushes = page.getByRole("region", { name: "Pushes to your devices" });
    await pushes.getByText("E-mail me what I miss").click();
    await pushes.getByLabel("Address").fill("bob@example.com");
    await pushes.getByLabel("After").selectOption("30");
    await axeClean(page, ".push");
    await pushes.getByRole("button", { name: "Save e-mail settings" }).click();
    await expect(page.getByText("E-mail settings saved")).toBeVisible();
    const settings = await page.evaluate(async () => (await fetch("/api/users/me/email")).json());
    expect(settings).toEqual({ email: "bob@example.com", delay_secs: 1800, on: true });
    // A reload shows what was saved.
    await page.reload();
    await expect(page.getByText("Connected")).toBeVisible();
    await page.getByText("E-mail me what I miss").click();
    await expect(page.getByLabel("Address")).toHaveValue("bob@example.com");
    await expect(page.getByLabel("Send these mails")).toBeChecked();
  } finally {
    await server.dispose();
  }
});
