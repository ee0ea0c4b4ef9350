// A real OpenID Connect provider for the portal's tests: the certified `oidc-provider` package,
// with its own log-in page that checks passwords. Started by tests/identity/servers.py.
//
//   node provider.mjs <config.json>
//
// config.json (re-read at every sign-in, so a test can move a person out of a group or disable
// them between two sign-ins): {"port", "client": {"client_id", "client_secret",
// "redirect_uris", "post_logout_redirect_uris"}, "users": {"<login>": {"password", "email",
// "name", "groups", "employee_id", "disabled"}}, "tamper_id_token": false}
//
// tamper_id_token plays a man in the middle: the ID token leaves the token endpoint with its
// groups claim rewritten and the provider's signature left as it was.
import { readFileSync } from 'node:fs';
import { Provider } from 'oidc-provider';

const configPath = process.argv[2];
const config = () => JSON.parse(readFileSync(configPath, 'utf8'));
const initial = config();
const issuer = `http://127.0.0.1:${initial.port}`;

const escapeHtml = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(issuer, {
  clients: [{
    ...initial.client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  // PKCE (S256) is required of every client.
  pkce: { required: () => true },
  cookies: { keys: ['portal-test-provider-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    groups: ['groups'],
    staff: ['employee_id'],
  },
  // Put the requested claims into the ID token as well (Entra ID and Keycloak do).
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // Sign out without asking (a university IdP asks; the tests need not click through).
      logoutSource: async (ctx, form) => {
        ctx.body = `<!DOCTYPE html><html><body>${form}
          <script>var f=document.forms[0];var i=document.createElement('input');
          i.type='hidden';i.name='logout';i.value='yes';f.appendChild(i);f.submit();</script>
          </body></html>`;
      },
    },
  },
  async findAccount(ctx, sub) {
    const user = config().users[sub];
    if (!user || user.disabled) return undefined;
    return {
      accountId: sub,
      async claims() {
        const [family, ...rest] = (user.name || sub).split(' ');
        return {
          sub,
          email: user.email,
          email_verified: user.email_verified ?? true,
          name: user.name,
          family_name: family,
          given_name: rest.join(' '),
          preferred_username: sub,
          groups: user.groups || [],
          employee_id: user.employee_id,
        };
      },
    };
  },
  // A first-party client: the university's portal needs no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups staff');
    await grant.save();
    return grant;
  },
  ttl: { Session: 3600, Grant: 3600, Interaction: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
});

const loginPage = (uid, error = '', login = '') => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>University identity · Sign in</title></head>
<body>
  <h1>University identity provider</h1>
  ${error ? `<p role="alert" id="error">${escapeHtml(error)}</p>` : ''}
  <form method="post" action="/interaction/${uid}/login">
    <label for="login">Username</label>
    <input id="login" name="login" value="${escapeHtml(login)}" autofocus>
    <label for="password">Password</label>
    <input id="password" name="password" type="password">
    <button type="submit">Sign in</button>
  </form>
</body></html>`;

const readForm = (req) => new Promise((resolve) => {
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(body))));
});

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) {
    await next();
    if (ctx.path === '/token' && ctx.status === 200 && config().tamper_id_token) {
      const body = typeof ctx.body === 'string' ? JSON.parse(ctx.body) : ctx.body;
      const [header, payload, signature] = body.id_token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      claims.groups = [...(claims.groups || []), 'portal-admins'];
      const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
      ctx.body = { ...body, id_token: `${header}.${forged}.${signature}` };
    }
    return;
  }
  const [, uid, isLogin] = match;
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  ctx.set('cache-control', 'no-store');
  ctx.type = 'html';
  if (!isLogin) {
    ctx.body = loginPage(uid);
    return;
  }
  const form = await readForm(ctx.req);
  const user = config().users[form.login];
  if (!user || user.password !== form.password) {
    ctx.status = 200;
    ctx.body = loginPage(uid, 'Invalid username or password.', form.login);
    return;
  }
  if (user.disabled) {
    ctx.body = loginPage(uid, 'This account is disabled.', form.login);
    return;
  }
  const result = { login: { accountId: form.login } };
  if (details.prompt.name === 'consent') result.consent = {};
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
});

provider.listen(initial.port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
