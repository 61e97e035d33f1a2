// Which SES configuration set an email goes out with: its domain's own when the domain enforces TLS,
// else its stream's own (set with PATCH
// /api/streams/:id), else the SES_CONFIGURATION_SETS var's entry for the stream, else none. Read at
// send time, so a change applies to emails already queued. A stream's dedicated IP pool is not
// passed here: SES v2 sends through the pool the configuration set names (DeliveryOptions).
import { domainConfigurationSet } from '@mailgrid/contracts';
import type { EmailRow, SendSettings } from '@mailgrid/db';
import { config, type Env } from './env';

export function configurationSetFor(env: Env, settings: SendSettings, row: EmailRow): string | undefined {
  // A TLS-enforced domain's own set (admin made it, TlsPolicy REQUIRE) wins over the stream's: SES
  // takes one set per message, and "only over TLS" must hold whatever the stream.
  if (settings.domain.tls === 'enforced') return domainConfigurationSet(row.domain_id);
  if (settings.stream.configuration_set) return settings.stream.configuration_set;
  return config(env).SES_CONFIGURATION_SETS[row.stream];
}
