// SES's feedback loop, locally. For every message the local SES accepts, this publishes what SES would
// publish through a configuration set's SNS event destination — `Send`, then `Delivery`, a second
// apart — as signed SNS notifications POSTed to the gateway's intake (POST /api/webhooks/ses), so
// events, statuses, suppressions, stats, reputation and customer webhooks all run locally as deployed.
//
// SES's mailbox simulator (any `+label` form) behaves as SES documents it:
//   success@simulator.amazonses.com          delivered
//   bounce@…                                 a permanent bounce (5.1.1 user unknown)
//   ooto@…                                   delivered, and an out-of-office reply to the sender
//   complaint@…                              delivered, then a complaint
//   suppressionlist@…                        a permanent bounce, OnAccountSuppressionList (not sent)
// Anything else is delivered.
//
// Notifications are signed (SignatureVersion 2, SHA256withRSA) with a key made at start, whose
// self-signed certificate the stand-ins serve on loopback; the local gateway trusts loopback
// certificate URLs (SNS_ALLOW_INSECURE_CERT_URL, refused in production, which trusts only AWS's SNS
// hosts). A POST the gateway does not take (down, restarting, 5xx) is tried again with backoff for up
// to ten minutes, as a topic whose HTTP delivery policy allows that (docs/deploy.md sets one).
//
// `inject()` publishes any event for any message sent so far (POST /__standin/ses-events).
import { createSign, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { generate } from 'selfsigned';

export const LOCAL_SNS_TOPIC = 'arn:aws:sns:us-east-1:000000000000:mailgrid-ses-events';
const ACCOUNT = '000000000000';
const SIMULATOR = 'simulator.amazonses.com';
/** How long a notification is retried before it is given up (and logged). */
const GIVE_UP_AFTER_MS = 10 * 60 * 1000;
/** Messages remembered for injection; the oldest are forgotten first. */
const REMEMBERED = 10_000;

export interface SesEventsOptions {
  /** Where notifications go: the gateway's base URL (its /api/webhooks/ses). */
  gatewayUrl: string;
  /** The stand-ins' own URL, which serves the signing certificate at /sns/cert.pem. */
  standinsUrl: string;
  /** The local SES, which receives the simulator's out-of-office replies. */
  sesUrl: string;
  /** Between one event of a message and the next (default 1000 ms, as SES's are seconds apart). */
  delayMs?: number;
  region?: string;
  log?: (line: string) => void;
}

/** The parts of an SES v2 SendEmail request the events describe. */
export interface SendEmailRequest {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  ConfigurationSetName?: string;
  EmailTags?: { Name: string; Value: string }[];
  Content?: { Raw?: { Data?: string } };
}

export interface InjectRequest {
  /** The SES message id, or the Mailgrid email id (its `mailgrid_email_id` tag). */
  id: string;
  /** SES's eventType: Send, Delivery, Bounce, Complaint, DeliveryDelay, Reject, Rendering Failure, Open, Click. */
  event: string;
  /** Which recipient (default: every recipient of the message). */
  recipient?: string;
  /** Bounce: Permanent (default) or Transient; and its sub-type. */
  bounce_type?: string;
  bounce_subtype?: string;
  /** Click: the link clicked. */
  link?: string;
  /** Reject and Rendering Failure: the reason. */
  reason?: string;
}

export interface SesEvents {
  certPem: string;
  /** The local SES took this request as `messageId`: publish what SES would. */
  accepted(request: SendEmailRequest, messageId: string): void;
  /** Publishes one event about a sent message; a 4xx-worthy problem comes back as `error`. */
  inject(request: InjectRequest): Promise<{ posted: number } | { error: string; status: number }>;
  /** Notifications not yet taken by the gateway. */
  pending(): number;
  /**
   * Posts again, byte for byte (same SNS MessageId: the events consumer dedupes), every notification
   * the gateway took since `since` (epoch ms). `wrangler dev` keeps no queue messages across a restart,
   * so what the gateway had taken but the events worker not yet consumed is gone; a deployed queue
   * keeps it. The stack replays that window after restarting the workers, standing in for durability.
   */
  redeliverTakenSince(since: number): Promise<number>;
  close(): void;
}

interface Sent {
  messageId: string;
  timestamp: string;
  source: string;
  destination: string[];
  headers: { name: string; value: string }[];
  subject: string;
  tags: Record<string, string[]>;
  emailId: string | null;
}

const MAX_POSTS = 8;

export async function createSesEvents(options: SesEventsOptions): Promise<SesEvents> {
  const delayMs = options.delayMs ?? 1000;
  const region = options.region ?? 'us-east-1';
  const log = options.log ?? (() => {});
  const pems = await generate([{ name: 'commonName', value: `sns.${region}.amazonaws.com.local` }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  const sent = new Map<string, Sent>();
  const byEmailId = new Map<string, string>();
  // At most MAX_POSTS notifications on their way to the gateway at once: `wrangler dev` has died
  // (an empty ✘ [ERROR]) under hundreds of concurrent POSTs, which a replay or a backlog of retries
  // after a restart would otherwise send. SNS itself delivers to a busy endpoint with more, but the
  // events consumer dedupes and orders nothing by arrival, so only the pace changes.
  let posts = 0;
  const waiting: (() => void)[] = [];
  const posting = async <T>(task: () => Promise<T>): Promise<T> => {
    while (posts >= MAX_POSTS) await new Promise<void>((resolve) => waiting.push(resolve));
    posts++;
    try {
      return await task();
    } finally {
      posts--;
      waiting.shift()?.();
    }
  };
  /** What the gateway took, and when: kept two minutes, for redeliverTakenSince. */
  let taken: { at: number; body: string }[] = [];
  let inFlight = 0;
  let closed = false;

  const notification = (event: Record<string, unknown>): string => {
    const fields: Record<string, string> = {
      Type: 'Notification',
      MessageId: randomUUID(),
      TopicArn: LOCAL_SNS_TOPIC,
      Message: JSON.stringify(event),
      Timestamp: new Date().toISOString(),
      SignatureVersion: '2',
      SigningCertURL: `${options.standinsUrl}/sns/cert.pem`,
      UnsubscribeURL: `${options.standinsUrl}/sns/unsubscribe`,
    };
    // SNS's string to sign: these fields, in this order, each as "Name\nvalue\n".
    const canonical = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      .filter((name) => fields[name] !== undefined)
      .map((name) => `${name}\n${fields[name]}\n`)
      .join('');
    fields.Signature = createSign('RSA-SHA256').update(canonical).sign(pems.private, 'base64');
    return JSON.stringify(fields);
  };

  /** POSTs one notification until the gateway takes it (2xx), or gives up after GIVE_UP_AFTER_MS. */
  const post = (event: Record<string, unknown>) => deliver(notification(event), String(event.eventType));
  const deliver = async (body: string, what: string) => {
    inFlight++;
    const started = Date.now();
    try {
      for (let attempt = 0; !closed; attempt++) {
        try {
          const response = await posting(async () => {
            const answer = await fetch(`${options.gatewayUrl}/api/webhooks/ses`, {
              method: 'POST',
              headers: {
                'content-type': 'text/plain; charset=UTF-8',
                'x-amz-sns-message-type': 'Notification',
                'x-amz-sns-topic-arn': LOCAL_SNS_TOPIC,
              },
              body,
              signal: AbortSignal.timeout(15_000),
            });
            await answer.arrayBuffer();
            return answer;
          });
          if (response.ok) {
            const now = Date.now();
            taken = taken.filter((entry) => entry.at > now - 120_000);
            taken.push({ at: now, body });
            return;
          }
          // A 4xx is a bug here or in the intake: retrying the same bytes cannot help.
          if (response.status < 500 && response.status !== 429) {
            log(`SES event ${what} refused by the gateway: ${response.status}`);
            return;
          }
        } catch {
          // The gateway is down or restarting: keep trying, as SNS does.
        }
        if (Date.now() - started > GIVE_UP_AFTER_MS) {
          log(`SES event ${what} given up after ${GIVE_UP_AFTER_MS / 1000} s`);
          return;
        }
        await sleep(Math.min(20_000, 500 * 2 ** attempt));
      }
    } finally {
      inFlight--;
    }
  };

  const mailOf = (message: Sent) => ({
    timestamp: message.timestamp,
    source: message.source,
    sourceArn: `arn:aws:ses:${region}:${ACCOUNT}:identity/${message.source.split('@').pop()}`,
    sendingAccountId: ACCOUNT,
    messageId: message.messageId,
    destination: message.destination,
    headersTruncated: false,
    headers: message.headers,
    commonHeaders: { from: [message.source], to: message.destination, subject: message.subject },
    tags: message.tags,
  });

  const events = {
    send: (message: Sent) => ({ eventType: 'Send', mail: mailOf(message), send: {} }),
    delivery: (message: Sent, recipient: string) => ({
      eventType: 'Delivery',
      mail: mailOf(message),
      delivery: {
        timestamp: new Date().toISOString(),
        processingTimeMillis: Date.now() - Date.parse(message.timestamp),
        recipients: [recipient],
        smtpResponse: '250 2.6.0 Message received',
        reportingMTA: `a8-1.smtp-out.${region}.amazonses.com`,
      },
    }),
    bounce: (message: Sent, recipient: string, type = 'Permanent', subtype = 'General') => ({
      eventType: 'Bounce',
      mail: mailOf(message),
      bounce: {
        bounceType: type,
        bounceSubType: subtype,
        bouncedRecipients: [
          {
            emailAddress: recipient,
            action: 'failed',
            status: type === 'Transient' ? '4.4.7' : '5.1.1',
            diagnosticCode:
              subtype === 'OnAccountSuppressionList'
                ? 'Amazon SES did not send the message to this address because it is on the suppression list for your account.'
                : type === 'Transient'
                  ? 'smtp; 452 4.2.2 Mailbox full'
                  : 'smtp; 550 5.1.1 user unknown',
          },
        ],
        timestamp: new Date().toISOString(),
        feedbackId: `${randomUUID()}-000000`,
        reportingMTA: `dns; a8-1.smtp-out.${region}.amazonses.com`,
      },
    }),
    complaint: (message: Sent, recipient: string) => ({
      eventType: 'Complaint',
      mail: mailOf(message),
      complaint: {
        complainedRecipients: [{ emailAddress: recipient }],
        timestamp: new Date().toISOString(),
        feedbackId: `${randomUUID()}-000000`,
        userAgent: 'Mailgrid local stack (SES mailbox simulator)',
        complaintFeedbackType: 'abuse',
        arrivalDate: new Date().toISOString(),
      },
    }),
    delay: (message: Sent, recipient: string) => ({
      eventType: 'DeliveryDelay',
      mail: mailOf(message),
      deliveryDelay: {
        timestamp: new Date().toISOString(),
        delayType: 'TransientCommunicationFailure',
        expirationTime: new Date(Date.now() + 14 * 3600_000).toISOString(),
        delayedRecipients: [
          { emailAddress: recipient, status: '4.4.1', diagnosticCode: 'smtp; 421 4.4.1 Try again later' },
        ],
      },
    }),
  };

  /** What the mailbox simulator does for one recipient (null: not a simulator address). */
  const simulated = (recipient: string) => {
    const [local = '', domain = ''] = recipient.toLowerCase().split('@');
    if (domain !== SIMULATOR) return null;
    return local.split('+')[0] as string;
  };

  /** The out-of-office reply to the sender, put in the local inbox as the simulator would send it. */
  const autoReply = async (message: Sent, recipient: string) => {
    const response = await fetch(`${options.sesUrl}/v2/email/outbound-emails`, {
      method: 'POST',
      // The local SES wants some credential, as SES would; any will do.
      headers: {
        'content-type': 'application/json',
        authorization: 'AWS4-HMAC-SHA256 Credential=local-dev/20260101/us-east-1/ses/aws4_request',
      },
      body: JSON.stringify({
        FromEmailAddress: recipient,
        Destination: { ToAddresses: [message.source] },
        Content: {
          Simple: {
            Subject: { Data: `Out of the office: ${message.subject}` },
            Body: { Text: { Data: 'I am out of the office and will answer when I am back.' } },
          },
        },
      }),
    }).catch((err: unknown) => err);
    if (!(response instanceof Response) || !response.ok) {
      log(`out-of-office reply failed: ${response instanceof Response ? response.status : String(response)}`);
    }
  };

  const later = (steps: number, publish: () => Promise<void> | void) => {
    const timer = setTimeout(() => {
      if (!closed) void publish();
    }, steps * delayMs);
    timer.unref();
  };

  return {
    certPem: pems.cert,
    accepted(request, messageId) {
      const destination = [
        ...(request.Destination?.ToAddresses ?? []),
        ...(request.Destination?.CcAddresses ?? []),
        ...(request.Destination?.BccAddresses ?? []),
      ];
      const tags: Record<string, string[]> = {
        'ses:operation': ['SendEmail'],
        'ses:source-ip': ['127.0.0.1'],
        'ses:from-domain': [
          String(request.FromEmailAddress ?? '')
            .split('@')
            .pop() ?? '',
        ],
        ...(request.ConfigurationSetName ? { 'ses:configuration-set': [request.ConfigurationSetName] } : {}),
      };
      for (const tag of request.EmailTags ?? []) tags[tag.Name] = [tag.Value];
      const raw = Buffer.from(request.Content?.Raw?.Data ?? '', 'base64').toString('utf8');
      const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
      const headers = head
        .replace(/\r?\n[ \t]+/g, ' ')
        .split(/\r?\n/)
        .flatMap((line) => {
          const colon = line.indexOf(':');
          return colon > 0 ? [{ name: line.slice(0, colon), value: line.slice(colon + 1).trim() }] : [];
        });
      const message: Sent = {
        messageId,
        timestamp: new Date().toISOString(),
        source: String(request.FromEmailAddress ?? ''),
        destination,
        headers,
        subject: headers.find((header) => header.name.toLowerCase() === 'subject')?.value ?? '',
        tags,
        emailId: tags.mailgrid_email_id?.[0] ?? null,
      };
      sent.set(messageId, message);
      if (message.emailId) byEmailId.set(message.emailId, messageId);
      if (sent.size > REMEMBERED) {
        const [oldest] = sent.keys();
        const forgotten = oldest ? sent.get(oldest) : undefined;
        if (oldest) sent.delete(oldest);
        if (forgotten?.emailId) byEmailId.delete(forgotten.emailId);
      }

      later(1, () => post(events.send(message)));
      for (const recipient of destination) {
        switch (simulated(recipient)) {
          case 'bounce':
            later(2, () => post(events.bounce(message, recipient)));
            break;
          case 'suppressionlist':
            later(2, () => post(events.bounce(message, recipient, 'Permanent', 'OnAccountSuppressionList')));
            break;
          case 'complaint':
            later(2, () => post(events.delivery(message, recipient)));
            later(3, () => post(events.complaint(message, recipient)));
            break;
          case 'ooto':
            later(2, async () => {
              await post(events.delivery(message, recipient));
              await autoReply(message, recipient);
            });
            break;
          default:
            later(2, () => post(events.delivery(message, recipient)));
        }
      }
    },
    async inject(request) {
      const messageId = sent.has(request.id) ? request.id : byEmailId.get(request.id);
      const message = messageId ? sent.get(messageId) : undefined;
      if (!message) {
        return {
          status: 404,
          error: `No message ${request.id} was sent through the local SES (since it started).`,
        };
      }
      const recipients = request.recipient ? [request.recipient] : message.destination;
      const build = (recipient: string): Record<string, unknown> | null => {
        switch (request.event) {
          case 'Send':
            return events.send(message);
          case 'Delivery':
            return events.delivery(message, recipient);
          case 'Bounce':
            return events.bounce(message, recipient, request.bounce_type, request.bounce_subtype);
          case 'Complaint':
            return events.complaint(message, recipient);
          case 'DeliveryDelay':
            return events.delay(message, recipient);
          case 'Reject':
            return {
              eventType: 'Reject',
              mail: mailOf(message),
              reject: { reason: request.reason ?? 'Bad content' },
            };
          case 'Rendering Failure':
          case 'RenderingFailure':
            return {
              eventType: 'Rendering Failure',
              mail: mailOf(message),
              failure: { errorMessage: request.reason ?? 'Attribute missing', templateName: 'local' },
            };
          case 'Open':
            return {
              eventType: 'Open',
              mail: mailOf(message),
              open: { timestamp: new Date().toISOString(), userAgent: 'Mozilla/5.0', ipAddress: '127.0.0.1' },
            };
          case 'Click':
            return {
              eventType: 'Click',
              mail: mailOf(message),
              click: {
                timestamp: new Date().toISOString(),
                link: request.link ?? 'https://example.com/',
                linkTags: {},
                userAgent: 'Mozilla/5.0',
                ipAddress: '127.0.0.1',
              },
            };
          default:
            return null;
        }
      };
      // Events about the whole message are published once, whatever the recipients.
      const perMessage = ['Send', 'Reject', 'Rendering Failure', 'RenderingFailure', 'Open', 'Click'];
      const built = (perMessage.includes(request.event) ? recipients.slice(0, 1) : recipients).map(build);
      if (built.some((event) => event === null)) {
        return {
          status: 422,
          error: `Unknown event ${request.event}: use Send, Delivery, Bounce, Complaint, DeliveryDelay, Reject, Rendering Failure, Open or Click.`,
        };
      }
      await Promise.all(built.map((event) => post(event as Record<string, unknown>)));
      return { posted: built.length };
    },
    pending: () => inFlight,
    redeliverTakenSince: async (since) => {
      const again = taken.filter((entry) => entry.at >= since);
      await Promise.all(again.map((entry) => deliver(entry.body, 'replayed')));
      return again.length;
    },
    close() {
      closed = true;
    },
  };
}
