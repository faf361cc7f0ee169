// The API's own description, checked from outside: the OpenAPI document is
// valid OpenAPI (an independent validator), the socket frames' JSON Schema
// compiles and accepts the frames a real session sends and receives (Ajv),
// and the interactive page loads under its CSP and runs a call.
import { expect, test } from "@playwright/test";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { closePages, say, signUp } from "./pages";
import { ConfabServer } from "./server";

test.afterEach(closePages);

test("the OpenAPI document is valid OpenAPI 3.1", async () => {
  const server = await ConfabServer.start();
  try {
    const document = await (await fetch(`${server.url}/api/openapi.json`)).json();
    const { Validator } = await import("@seriousme/openapi-schema-validator");
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? [], "validation errors").toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    // Every reference resolves.
    expect(() => validator.resolveRefs()).not.toThrow();
  } finally {
    await server.dispose();
  }
});

test("the frames' JSON Schema accepts what a real session sends and receives", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const schema = await (await fetch(`${server.url}/api/protocol.schema.json`)).json();
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const clientFrame = ajv.compile({ $ref: "/api/protocol.schema.json#/$defs/ClientEnvelope" });
    const serverFrame = ajv.compile({ $ref: "/api/protocol.schema.json#/$defs/ServerFrame" });

    const alice = await signUp(browser, server.url, "alice");
    await say(alice, "hello, schema");
    // A socket of the page's own, with its cookie: every frame it gets.
    const sent = [
      { type: "join", room: "general", ref: "j" },
      { type: "send", room: "general", client_msg_id: crypto.randomUUID(), body: "**bold** @alice", ref: "s" },
      { type: "history", room: "general", limit: 10, ref: "h" },
      { type: "typing", room: "general" },
      { type: "ping", ref: "p" },
      { type: "nonsense", ref: "bad" },
    ];
    const received: unknown[] = await alice.evaluate(async (frames) => {
      const ws = new WebSocket(`ws://${location.host}/ws`);
      const got: unknown[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out: ${JSON.stringify(got)}`)), 10_000);
        ws.onmessage = (e) => {
          const frame = JSON.parse(e.data);
          got.push(frame);
          if (frame.type === "error" && frame.ref === "bad") {
            clearTimeout(timer);
            resolve();
          }
        };
        ws.onopen = async () => {
          for (const frame of frames) {
            ws.send(JSON.stringify(frame));
            await new Promise((r) => setTimeout(r, 50));
          }
        };
      });
      ws.close();
      return got;
    }, sent);

    const types = new Set(received.map((f) => (f as { type: string }).type));
    for (const type of ["joined", "message", "ack", "history", "pong", "error", "online"]) {
      expect(types, `a ${type} frame arrived`).toContain(type);
    }
    for (const frame of received) {
      expect(serverFrame(frame), `${JSON.stringify(frame)}: ${ajv.errorsText(serverFrame.errors)}`).toBe(true);
      expect(validate(frame)).toBe(true);
    }
    for (const frame of sent.slice(0, -1)) {
      expect(clientFrame(frame), `${JSON.stringify(frame)}: ${ajv.errorsText(clientFrame.errors)}`).toBe(true);
    }
    // The schema is not a yes to everything.
    expect(clientFrame({ type: "nonsense" })).toBe(false);
    expect(clientFrame({ type: "send", room: "general" })).toBe(false);
    expect(serverFrame({ type: "ack", room: "general" })).toBe(false);
  } finally {
    await server.dispose();
  }
});

test("the API docs page loads under its CSP and runs a call as the signed-in user", async ({ browser }) => {
  const server = await ConfabServer.start();
  try {
    const alice = await signUp(browser, server.url, "alice");
    const violations: string[] = [];
    const failed: string[] = [];
    alice.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    alice.on("requestfailed", (r) => failed.push(r.url()));
    await alice.exposeFunction("reportViolation", (v: string) => violations.push(v));
    await alice.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) =>
        (window as unknown as { reportViolation: (v: string) => void }).reportViolation(
          `${e.violatedDirective} ${e.blockedURI}`,
        ),
      );
    });

    const response = await alice.goto(`${server.url}/api/docs`);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await expect(alice.getByRole("heading", { name: /Confab/ })).toBeVisible();
    const me = alice.locator("#operations-auth-me");
    await expect(me).toBeVisible();
    await me.locator(".opblock-summary").click();
    await me.getByRole("button", { name: "Try it out" }).click();
    await me.getByRole("button", { name: "Execute" }).click();
    const live = me.locator(".live-responses-table");
    await expect(live.locator("tr.response .response-col_status")).toHaveText("200");
    await expect(live.locator(".microlight").first()).toContainText('"name": "alice"');

    expect(violations, "no CSP violations").toEqual([]);
    expect(failed.filter((u) => !u.startsWith(server.url)), "nothing fetched from elsewhere").toEqual([]);
  } finally {
    await server.dispose();
  }
});
