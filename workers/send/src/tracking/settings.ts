// Per-email tracking and List-Unsubscribe decisions, made at send time so a change to a stream or a
// domain applies to every email not yet sent: the email's own switch ?? its stream's ?? its domain's
// ?? off (List-Unsubscribe: the email's ?? the stream's, on for `broadcast` by default; always on a
// broadcast's recipient).
import type { EmailRow, SendSettings } from '@mailgrid/db';
import { config, type Env } from '../env';

export interface TrackingDecision {
  opens: boolean;
  clicks: boolean;
  listUnsubscribe: boolean;
  /** Where tracking links point: `https://<domain's tracking_hostname>`, else TRACKING_BASE_URL. */
  baseUrl: string;
  /** Hosts whose links are ours already (the default host and the domain's own). */
  trackingHosts: string[];
}

export function trackingDecision(env: Env, settings: SendSettings, row: EmailRow): TrackingDecision {
  const { domain, stream } = settings;
  const pick = (...values: (number | null)[]) => (values.find((value) => value !== null) ?? 0) === 1;
  const { TRACKING_BASE_URL } = config(env);
  const defaultBase = new URL(TRACKING_BASE_URL);
  const base = domain.tracking_hostname ? new URL(`https://${domain.tracking_hostname}`) : defaultBase;
  // The default may carry a path prefix; a domain's own host serves the paths at its root.
  const baseUrl = domain.tracking_hostname ? base.origin : TRACKING_BASE_URL.replace(/\/+$/, '');
  return {
    opens: pick(row.track_opens, stream.track_opens, domain.open_tracking),
    clicks: pick(row.track_clicks, stream.track_clicks, domain.click_tracking),
    // A broadcast always carries it, whatever its stream says: every recipient can leave in one click.
    listUnsubscribe: row.broadcast_id !== null || pick(row.list_unsubscribe, stream.list_unsubscribe),
    baseUrl,
    trackingHosts: [...new Set([defaultBase.host.toLowerCase(), base.host.toLowerCase()])],
  };
}
