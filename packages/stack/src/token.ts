// Prints an access token (a JWT) that signs in to the local stack as the identity of an email address:
//
//   node scripts/run.mjs node packages/stack/src/token.ts you@example.com | tail -n 1
//
// Signed with the HS256 secret `npm start` gave the gateway (MAILGRID_AUTH_JWT_SECRET, from the
// environment or .mailgrid/dev.env). The same address is always the same identity (`sub`), so a user
// who accepted an invitation with one token signs in with the next. Only the token goes to stdout.
import { parseArgs } from 'node:util';
import { localSubject, signLocalToken } from './jwt.ts';
import { devEnvFile } from './paths.ts';
import { readEnvFile } from './seed.ts';

const USAGE = 'usage: node packages/stack/src/token.ts <email> [--subject <sub>] [--expires-in <seconds>]';

function fail(message: string): never {
  console.error(`[mailgrid] ${message}`);
  process.exit(1);
}

function main() {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (err) {
    fail(`${err instanceof Error ? err.message : err}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const email = positionals[0]?.trim();
  if (!email || positionals.length > 1) fail(USAGE);
  const expiresIn = Number(values['expires-in'] ?? 86_400);
  if (!Number.isInteger(expiresIn) || expiresIn <= 0) fail('--expires-in must be a whole number of seconds');

  const secret = process.env.MAILGRID_AUTH_JWT_SECRET || readEnvFile(devEnvFile).MAILGRID_AUTH_JWT_SECRET;
  if (!secret) {
    fail(`no MAILGRID_AUTH_JWT_SECRET in the environment or in ${devEnvFile}: run \`npm start\` first.`);
  }
  const subject = values.subject ?? localSubject(email);
  console.error(`[mailgrid] a token for ${email} (sub ${subject}), valid ${expiresIn} s:`);
  console.log(signLocalToken(secret, { subject, email, expiresIn }));
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: { subject: { type: 'string' }, 'expires-in': { type: 'string' } },
  });
}

main();
