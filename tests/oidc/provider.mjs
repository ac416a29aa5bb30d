// A real OpenID provider (npm oidc-provider) for plugctl's login tests, on 127.0.0.1 and a port
// the OS picks. Prints one JSON line {"issuer": ...} on stdout once it listens.
//
// The CLI is registered the way a provider registers any native app (RFC 8252): a public client
// (no secret), a loopback redirect URI without a port, PKCE required, the device grant, refresh
// tokens that rotate on every use, and revocation. Dev interactions accept any login/password
// (the login becomes the subject) and show a consent page, which the tests' browser submits.
//
// Environment: ACCESS_TTL (seconds, default 3600) for expiry tests; API_AUDIENCE, when set, turns
// on resource indicators (RFC 8707) with that one API as the default resource, so access tokens
// become JWTs (RFC 9068) for that audience, as an API behind `plugctl serve` receives them.
import http from 'node:http';
import Provider from 'oidc-provider';

const accessTtl = Number(process.env.ACCESS_TTL || 3600);
const apiAudience = process.env.API_AUDIENCE;
const resourceIndicators = apiAudience
  ? {
      enabled: true,
      defaultResource: () => apiAudience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: apiAudience,
        accessTokenTTL: accessTtl,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    }
  : { enabled: false };
const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'plugctl-cli',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: [
        'authorization_code',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
      response_types: ['code'],
    },
  ],
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators,
  },
  pkce: { required: () => true },
  scopes: ['openid', 'offline_access', 'email', 'profile', 'api'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Scope claims in the ID token too, so the CLI learns the e-mail without a userinfo call.
  conformIdTokenClaims: false,
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: `${id}@example.test`, email_verified: true, name: id }),
  }),
  rotateRefreshToken: true,
  ttl: {
    AccessToken: accessTtl,
    IdToken: 3600,
    RefreshToken: 86400,
    DeviceCode: 600,
    Grant: 86400,
    Session: 86400,
    Interaction: 600,
  },
  cookies: { keys: ['plugctl-test-only-cookie-key'] },
});
// The library logs "Unsupported runtime" and dev-interaction warnings; tests read only stdout.
server.on('request', provider.callback());
process.stdout.write(JSON.stringify({ issuer }) + '\n');
// Tests read only that first line and may close the pipe; anything the library logs later goes
// to stderr, so a closed stdout cannot kill the provider with EPIPE mid-test.
console.log = console.error;
console.info = console.error;
process.on('SIGTERM', () => process.exit(0));
