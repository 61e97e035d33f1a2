// Is a pixel fetch or click a person's, or a machine's? Machine hits are recorded, marked with the
// reason, and left out of human opens/clicks in stats; they are never dropped (a customer may want
// them, and guessing wrong must not lose a real open).
import type { MachineReason } from '@mailgrid/contracts';

/**
 * A click this soon after the email was sent is a link scanner's (a mail gateway following every
 * link on delivery), not a person's: a person needs longer to receive, open and read the email.
 */
export const SCANNER_WINDOW_SECONDS = 10;

/** Apple's autonomous systems: Mail Privacy Protection fetches every pixel through Apple's proxies. */
const APPLE_ASNS = new Set([714, 6185]);

/**
 * Security gateways, link checkers, HTTP libraries, headless browsers and crawlers. Deliberately not
 * "Microsoft Office" or "Outlook": desktop Outlook loads pixels with that agent for real readers.
 */
const BOT_AGENT =
  /bot\b|bot\/|crawler|spider|scanner|barracuda|mimecast|proofpoint|bingpreview|safelinks|python-requests|python-urllib|aiohttp|httpx|curl\/|wget|go-http-client|okhttp|java\/|apache-httpclient|libwww|node-fetch|axios|undici|headlesschrome|phantomjs|puppeteer|playwright|slurp|facebookexternalhit|checker|symantec|forcepoint|trendmicro|sophos|fortiguard|ironport/i;

export interface RequestSignals {
  method: string;
  userAgent: string | null;
  /** Cloudflare's request.cf.asn. */
  asn?: number | undefined;
  /** The client's address (cf-connecting-ip): used here only, never stored. */
  ip?: string | null | undefined;
  /** The token's issued_at (unix seconds, the send time); clicks only. */
  issuedAt?: number | undefined;
  action: 'open' | 'click';
  nowMs: number;
}

export function detectMachine(signals: RequestSignals): MachineReason | null {
  // A HEAD never shows anything to anyone: link checkers and prefetchers use it.
  if (signals.method === 'HEAD') return 'head';
  const agent = signals.userAgent?.trim() ?? '';
  // Apple's proxy fetches with a bare "Mozilla/5.0" from Apple's network, whether or not anyone reads.
  if (isAppleNetwork(signals) && (agent === '' || agent === 'Mozilla/5.0')) return 'apple_mpp';
  // Every browser and mail client sends a user agent; scanners often send none.
  if (agent === '' || BOT_AGENT.test(agent)) return 'bot';
  if (
    signals.action === 'click' &&
    signals.issuedAt !== undefined &&
    signals.nowMs - signals.issuedAt * 1000 < SCANNER_WINDOW_SECONDS * 1000
  ) {
    return 'scanner';
  }
  return null;
}

function isAppleNetwork({ asn, ip }: RequestSignals): boolean {
  if (asn !== undefined && APPLE_ASNS.has(asn)) return true;
  if (!ip) return false;
  // 17.0.0.0/8 is Apple's; 2620:149::/32 and 2a01:b740::/32 are Apple's IPv6 blocks.
  if (/^17\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip)) return true;
  const lower = ip.toLowerCase();
  return lower.startsWith('2620:149:') || lower.startsWith('2a01:b740:');
}
