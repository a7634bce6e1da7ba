import { parseArgs } from 'node:util';
import { PLATFORM_ROLES, mintToken } from '@access-ledger/auth';
import { loadConfigOrExit, parseDuration } from '@access-ledger/platform';

/** `npm run token -- --email a@b.org [--roles platform_admin,auditor] [--sub id] [--expires 8h]`: a dev token for the embedded mode. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      roles: { type: 'string', default: '' },
      sub: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string', default: '8h' },
    },
  });
  if (!values.email || !values.email.includes('@')) {
    process.stderr.write('Usage: npm run token -- --email you@example.org [--roles platform_admin,auditor,integration] [--sub id] [--name "Full Name"] [--expires 8h]\n');
    return 2;
  }
  const roles = values.roles ? values.roles.split(',').map((r) => r.trim()).filter(Boolean) : [];
  const unknown = roles.filter((r) => !(PLATFORM_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown role(s): ${unknown.join(', ')}. Platform roles: ${PLATFORM_ROLES.join(', ')}\n`);
    return 2;
  }
  const config = loadConfigOrExit();
  if (config.auth.mode !== 'hs256') {
    process.stderr.write('AUTH_JWKS_URL is set: tokens come from your identity provider, not from this tool.\n');
    return 1;
  }
  const lifetime = parseDuration(values.expires);
  const maxAge = config.auth.maxTokenAgeSeconds;
  if (lifetime !== null && maxAge !== undefined && lifetime > maxAge) {
    process.stderr.write(`Note: the service refuses tokens older than AUTH_MAX_TOKEN_AGE (${maxAge} s), whatever --expires says.\n`);
  }
  process.stdout.write(`${await mintToken(config.auth.secret, { email: values.email, roles, sub: values.sub, name: values.name, expiresIn: values.expires })}\n`);
  return 0;
}

main().then((code) => process.exit(code));
