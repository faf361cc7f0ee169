// A real OpenID provider for the tests: the certified `oidc-provider` package
// on loopback, with its development sign-in pages (any login and password)
// and one client, Confab, which must use PKCE.
import { Server } from "node:http";
import { freePort } from "./server";

export const CLIENT_ID = "confab";
export const CLIENT_SECRET = "confab-test-client-secret";

export class TestProvider {
  private constructor(
    readonly issuer: string,
    private readonly server: Server,
  ) {}

  /** A provider whose one client sends people back to `confabUrl`. */
  static async start(confabUrl: string): Promise<TestProvider> {
    const { default: Provider } = await import("oidc-provider");
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          redirect_uris: [`${confabUrl}/api/auth/oidc/callback`],
          grant_types: ["authorization_code"],
          response_types: ["code"],
          token_endpoint_auth_method: "client_secret_basic",
        },
      ],
      pkce: { required: () => true },
      // What the person typed as their login is who they are.
      findAccount: async (_ctx: unknown, id: string) => ({
        accountId: id,
        claims: async () => ({
          sub: `subject-${id}`,
          preferred_username: id,
          email: `${id}@example.com`,
          email_verified: true,
        }),
      }),
      claims: { openid: ["sub"], profile: ["preferred_username"], email: ["email", "email_verified"] },
      // The scopes' claims go in the ID token, where Confab reads them.
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: true } },
      cookies: { keys: ["confab-e2e-provider-cookie-key"] },
    });
    const server = await new Promise<Server>((resolve) => {
      const s = provider.listen(port, "127.0.0.1", () => resolve(s));
    });
    return new TestProvider(issuer, server);
  }

  /** Confab's flags for this provider. */
  flags(confabUrl: string, autoProvision: boolean): string[] {
    return [
      "--oidc-issuer", this.issuer,
      "--oidc-client-id", CLIENT_ID,
      "--oidc-client-secret", CLIENT_SECRET,
      "--oidc-redirect-url", `${confabUrl}/api/auth/oidc/callback`,
      "--oidc-name", "Test SSO",
      ...(autoProvision ? ["--oidc-auto-provision"] : []),
    ];
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server.close(r));
    this.server.closeAllConnections();
  }
}
