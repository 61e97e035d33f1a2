// Admin's vars through config(env) (src/env.ts): validated once, defaults for what is unset, and a
// loud error naming the variable for what is missing or malformed.
import { describe, expect, it } from 'vitest';
import { config, type Env } from '../src/env';
import { realEnv } from './helpers';

describe('config(env)', () => {
  it("reads wrangler.jsonc's vars", () => {
    expect(config(realEnv)).toMatchObject({
      ENVIRONMENT: 'development',
      API_KEY_ENV: 'dev',
      SES_REGION: 'us-east-1',
      TRACKING_CNAME_TARGET: 'track.mailgrid.test',
    });
  });

  it('gives the defaults for what is unset or blank', () => {
    expect(
      config({
        ...realEnv,
        DOH_URL: '',
        TRACKING_CNAME_TARGET: undefined,
        IMPORT_STALLED_AFTER_SECONDS: undefined,
      } as Env),
    ).toMatchObject({
      DOH_URL: 'https://cloudflare-dns.com/dns-query',
      TRACKING_CNAME_TARGET: undefined,
      IMPORT_STALLED_AFTER_SECONDS: 600,
    });
    expect(
      config({ ...realEnv, IMPORT_STALLED_AFTER_SECONDS: '90' } as Env).IMPORT_STALLED_AFTER_SECONDS,
    ).toBe(90);
  });

  it.each([
    [{ API_KEY_ENV: 'prod' }, 'API_KEY_ENV must be one of "live", "test", "dev" (got "prod")'],
    [{ PLATFORM_TENANT_ID: undefined }, 'PLATFORM_TENANT_ID is not set'],
    [{ INVITE_FROM: '' }, 'INVITE_FROM is blank'],
    [{ DOH_URL: 'cloudflare-dns.com/dns-query' }, 'DOH_URL must be an absolute URL'],
    [
      { IMPORT_STALLED_AFTER_SECONDS: '10m' },
      'IMPORT_STALLED_AFTER_SECONDS must be a whole number (got "10m")',
    ],
  ])('refuses %j, naming the variable', (vars, message) => {
    expect(() => config({ ...realEnv, ...vars } as Env)).toThrow(message);
  });
});
