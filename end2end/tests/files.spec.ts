// Files as people share them in Chromium: an image dropped on the room shows
// inline for the other member; a document picked with the attach button shows
// as a card to download; a pasted image uploads too.
import { expect, test } from "@playwright/test";
import { closePages, signUp } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

test("drop an image on the room and the other member sees it inline; a picked file is a download card", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const bob = await signUp(browser, server.url, "bob");

    // Alice drags a PNG (drawn in the page) onto the room and drops it.
    const dropped = await alice.evaluateHandle(async () => {
      const canvas = document.createElement("canvas");
      canvas.width = 640;
      canvas.height = 320;
      const ctx = canvas.getContext("2d")!;
      ctx.fillStyle = "#3a52c4";
      ctx.fillRect(0, 0, 640, 320);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), "image/png"));
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], "diagram.png", { type: "image/png" }));
      return transfer;
    });
    await alice.dispatchEvent("main.room", "dragover", { dataTransfer: dropped });
    await alice.dispatchEvent("main.room", "drop", { dataTransfer: dropped });
    const uploads = alice.getByRole("list", { name: "Files to send" });
    await expect(uploads.locator(".upload")).toContainText("diagram.png");
    await expect(uploads.locator(".ready")).toHaveText("Ready");
    await alice.getByLabel("Message #general").fill("the new diagram");
    await alice.getByLabel("Message #general").press("Enter");
    await expect(uploads).toHaveCount(0);

    // Bob sees it inline: the server's thumbnail, loaded, linking the original.
    const image = bob.locator(".message", { hasText: "the new diagram" }).locator(".attachments img");
    await expect(image).toHaveAttribute("alt", "diagram.png");
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(360);
    const link = bob.locator(".message", { hasText: "the new diagram" }).locator(".attachments a");
    const original = await bob.request.get(server.url + (await link.getAttribute("href")));
    expect(original.status()).toBe(200);
    expect(original.headers()["content-type"]).toBe("image/png");

    // A document picked with the attach button arrives as a card.
    await alice.getByLabel("Attach files").setInputFiles({
      name: "minutes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("Decisions: ship on Friday.\n".repeat(100)),
    });
    await expect(uploads.locator(".ready")).toHaveText("Ready");
    await alice.getByLabel("Message #general").press("Enter");
    const card = bob.locator(".file-card");
    await expect(card.locator(".file-name")).toHaveText("minutes.txt");
    await expect(card.locator(".file-meta")).toHaveText("2.7 KB · text/plain");
    const download = await bob.request.get(server.url + (await card.getAttribute("href")));
    expect(await download.text()).toContain("ship on Friday");
    expect(download.headers()["content-disposition"]).toContain("attachment");

    // A screenshot pasted into the message box uploads too.
    await alice.getByLabel("Message #general").evaluate(async (box) => {
      const canvas = document.createElement("canvas");
      canvas.width = 200;
      canvas.height = 100;
      canvas.getContext("2d")!.fillRect(0, 0, 200, 100);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), "image/png"));
      const clipboard = new DataTransfer();
      clipboard.items.add(new File([blob], "pasted.png", { type: "image/png" }));
      box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: clipboard, bubbles: true, cancelable: true }));
    });
    await expect(uploads.locator(".ready")).toHaveText("Ready");
    await alice.getByLabel("Message #general").fill("pasted it");
    await alice.getByLabel("Message #general").press("Enter");
    await expect(
      bob.locator(".message", { hasText: "pasted it" }).locator('.attachments img[alt="pasted.png"]'),
    ).toBeVisible();
  } finally {
    await server.dispose();
  }
});
