// A two-instance cluster for a browser test: a private redis-server, a fresh
// PostgreSQL database, two Confab instances, and nginx in front (no sticky
// sessions). Everything is on loopback and torn down by dispose().
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeContexts } from "./pages";
import { ConfabServer, freePort } from "./server";

const PG_ADMIN =
  process.env.CONFAB_TEST_POSTGRES_URL ?? "postgres://postgres:postgres@127.0.0.1:5432/postgres";
const NGINX = process.env.NGINX ?? "/usr/sbin/nginx";

export class Cluster {
  private constructor(
    private readonly redis: ChildProcess,
    private readonly database: string,
    readonly a: ConfabServer,
    readonly b: ConfabServer,
    private readonly run: string,
    readonly port: number,
  ) {}

  /** The address nginx serves on. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<Cluster> {
    const redisPort = await freePort();
    const redis = spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    const database = `confab_e2e_${Date.now()}_${process.pid}`;
    execFileSync("psql", [PG_ADMIN, "-qc", `CREATE DATABASE ${database}`]);
    const dbUrl = `${PG_ADMIN.slice(0, PG_ADMIN.lastIndexOf("/"))}/${database}`;
    const args = [
      "--database-url", dbUrl,
      "--redis-url", `redis://127.0.0.1:${redisPort}`,
      "--redis-prefix", database,
      "--jwt-secret", "e2e-cluster-secret-0123456789abcdef",
    ];
    const a = await ConfabServer.start(args);
    const b = await ConfabServer.start(args);
    const run = mkdtempSync(join(tmpdir(), "confab-nginx-"));
    const port = await freePort();
    const conf = readFileSync(join(__dirname, "../../deploy/nginx.conf"), "utf8")
      .replaceAll("__RUN__", run)
      .replaceAll("__PORT__", String(port))
      .replaceAll("__PORT_A__", String(a.port))
      .replaceAll("__PORT_B__", String(b.port));
    writeFileSync(join(run, "nginx.conf"), conf);
    execFileSync(NGINX, ["-c", join(run, "nginx.conf")]);
    return new Cluster(redis, database, a, b, run, port);
  }

  async dispose(): Promise<void> {
    await closeContexts();
    try {
      execFileSync(NGINX, ["-c", join(this.run, "nginx.conf"), "-s", "stop"]);
    } catch {
      // already gone
    }
    await this.a.dispose();
    await this.b.dispose();
    this.redis.kill("SIGKILL");
    try {
      execFileSync("psql", [PG_ADMIN, "-qc", `DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`]);
    } catch {
      // best effort
    }
    rmSync(this.run, { recursive: true, force: true });
  }
}
