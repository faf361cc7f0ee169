// Starts and stops a real Confab server for one test: its own port, its own data
// directory (SQLite), the UI built by `cargo leptos build`.
import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeContexts } from "./pages";

const BIN = process.env.CONFAB_BIN ?? "../target/debug/confab";
export const SITE_ROOT = process.env.CONFAB_SITE_ROOT ?? "../target/site";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export class ConfabServer {
  private child?: ChildProcess;
  private constructor(
    readonly port: number,
    readonly dataDir: string,
    readonly args: string[],
    /** The built UI it serves (a copy, for a test of a new release). */
    public siteRoot: string = SITE_ROOT,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts a server with these flags, on `port` (or a free one). */
  static async start(args: string[] = [], port?: number, siteRoot?: string): Promise<ConfabServer> {
    const server = new ConfabServer(
      port ?? (await freePort()),
      mkdtempSync(join(tmpdir(), "confab-e2e-")),
      args,
      siteRoot,
    );
    await server.launch();
    return server;
  }

  /** Starts the process and waits until /healthz answers (bounded). */
  async launch(): Promise<void> {
    this.child = spawn(
      BIN,
      [
        "--listen", `127.0.0.1:${this.port}`,
        "--data-dir", this.dataDir,
        "--site-root", this.siteRoot,
        ...this.args,
      ],
      { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, RUST_LOG: "warn" } },
    );
    for (let i = 0; i < 200; i++) {
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("confab did not start within 10 s");
  }

  /** SIGTERM, and wait for the process to exit (bounded). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async dispose(): Promise<void> {
    await closeContexts();
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
