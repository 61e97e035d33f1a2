// A domain's Resend capabilities and TLS policy as send honours them: a domain with sending disabled
// is refused as a From (nothing stored), and a TLS-enforced domain's mail goes out with the
// configuration set admin made for it (TlsPolicy REQUIRE), whatever its stream's own set.
import { domainConfigurationSet } from '@mailgrid/contracts';
import type { EmailRow, SendSettings } from '@mailgrid/db';
import { describe, expect, it } from 'vitest';
import { configurationSetFor } from '../src/streams';
import { countRows, emailFrom, failure, newTenant, send, testEnv } from './helpers';

function settings(tls: 'opportunistic' | 'enforced', streamSet: string | null): SendSettings {
  return {
    domain: { open_tracking: null, click_tracking: null, tracking_hostname: null, tls },
    stream: { configuration_set: streamSet, track_opens: null, track_clicks: null, list_unsubscribe: 0 },
  };
}

const row = { domain_id: 'b0a7c0de-0000-4000-8000-000000000001', stream: 'transactional' } as EmailRow;

describe('configurationSetFor', () => {
  it("takes the TLS-enforced domain's own set over the stream's", () => {
    expect(configurationSetFor(testEnv, settings('enforced', 'receipts-set'), row)).toBe(
      domainConfigurationSet(row.domain_id),
    );
    expect(configurationSetFor(testEnv, settings('opportunistic', 'receipts-set'), row)).toBe('receipts-set');
  });
});

describe('capabilities.sending', () => {
  it('refuses a From on a domain whose sending is disabled, storing nothing', async () => {
    const tenant = await newTenant();
    await testEnv.DB.prepare("UPDATE domains SET sending = 'disabled' WHERE tenant_id = ?")
      .bind(tenant.tenantId)
      .run();
    const refused = failure(await send.accept(tenant.caller, emailFrom(tenant), null));
    expect(refused.code).toBe('invalid_from_address');
    expect(refused.message).toContain('sending is disabled');
    expect(await countRows(tenant)).toBe(0);
  });
});
