// Local stand-ins for what aws-ses-v2-local lacks: the SES v2 identity API (domains with Easy DKIM
// and a custom MAIL FROM), configuration sets' TLS policy, a DNS-over-HTTPS resolver (JSON API) over a pretend public DNS, and SES's
// event publishing to SNS (ses-events.ts: every message sent through here gets its Send/Delivery/…
// events posted, signed, to the gateway).
// Every other request is forwarded to aws-ses-v2-local as it came, so this is the SES_ENDPOINT the
// workers use locally. An identity stays PENDING until its records are "published" in the pretend
// DNS; with `autoPublish` (npm start) they are published as soon as SES hands them out, so a
// developer's verify succeeds; the mesh tests publish them themselves:
//   GET  /__standin/dns                          the whole pretend DNS
//   POST /__standin/dns      {name, type, values} sets one name's records of a type ([] removes)
//   POST /__standin/publish  {domain}             publishes everything the identity asks for
//   POST /__standin/ses-events {id, event, …}     publishes one SES event about a sent message
//   GET  /v2/email/configuration-sets/<name>     (signed, as SES) a set's TLS policy, for tests
//   GET  /sns/cert.pem                            the certificate SES event notifications are signed with
//   GET  /inbox, /inbox/<SES message id>          every message as SES was given it (inbox.ts)
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createInbox } from './inbox.ts';
import { createSesEvents, type InjectRequest, type SendEmailRequest, type SesEvents } from './ses-events.ts';

export interface AwsStandinsOptions {
  port: number;
  /** aws-ses-v2-local, which gets every request the stand-ins do not answer. */
  sesUrl: string;
  /** Publish an identity's records the moment they exist (npm start); tests leave this off. */
  autoPublish?: boolean;
  /** The region in the MX record a MAIL FROM needs. */
  region?: string;
  /** The gateway SES event notifications are posted to; without it, no events are published. */
  gatewayUrl?: string;
  /** Between one SES event of a message and the next (default 1000 ms). */
  sesEventDelayMs?: number;
  log?: (line: string) => void;
}

export interface AwsStandins {
  url: string;
  /** SES event publishing (null without a gateway). */
  sesEvents: SesEvents | null;
  close(): Promise<void>;
}

interface Identity {
  name: string;
  tokens: string[];
  mailFrom: string | null;
  createdAt: string;
}

type RecordType = 'CNAME' | 'MX' | 'TXT';
const TYPE_CODES: Record<RecordType, number> = { CNAME: 5, MX: 15, TXT: 16 };

export async function startAwsStandins(options: AwsStandinsOptions): Promise<AwsStandins> {
  const region = options.region ?? 'us-east-1';
  const identities = new Map<string, Identity>();
  /** SES configuration sets by name: only their TLS policy (DeliveryOptions.TlsPolicy) is kept. */
  const configurationSets = new Map<string, { tlsPolicy: string }>();
  /** `TYPE name` → record data as a resolver serves it (TXT quoted, names with the trailing dot). */
  const zone = new Map<string, string[]>();
  const setRecords = (type: RecordType, name: string, values: string[]) => {
    const key = `${type} ${name.toLowerCase().replace(/\.$/, '')}`;
    if (values.length === 0) zone.delete(key);
    else zone.set(key, values);
  };
  const publishDkim = (identity: Identity) => {
    for (const token of identity.tokens) {
      setRecords('CNAME', `${token}._domainkey.${identity.name}`, [`${token}.dkim.amazonses.com.`]);
    }
    setRecords('TXT', `_dmarc.${identity.name}`, ['"v=DMARC1; p=none;"']);
  };
  const publishMailFrom = (identity: Identity) => {
    if (!identity.mailFrom) return;
    setRecords('MX', identity.mailFrom, [`10 feedback-smtp.${region}.amazonses.com.`]);
    setRecords('TXT', identity.mailFrom, ['"v=spf1 include:amazonses.com ~all"']);
  };
  const has = (type: RecordType, name: string, data: string) => zone.get(`${type} ${name}`)?.includes(data);
  const dkimStatus = (identity: Identity) =>
    identity.tokens.every((token) =>
      has('CNAME', `${token}._domainkey.${identity.name}`, `${token}.dkim.amazonses.com.`),
    )
      ? 'SUCCESS'
      : 'PENDING';
  const mailFromStatus = (identity: Identity) =>
    identity.mailFrom &&
    zone
      .get(`MX ${identity.mailFrom}`)
      ?.some((data) => data.endsWith(`feedback-smtp.${region}.amazonses.com.`))
      ? 'SUCCESS'
      : 'PENDING';
  const describe = (identity: Identity) => ({
    IdentityType: 'DOMAIN',
    VerifiedForSendingStatus: dkimStatus(identity) === 'SUCCESS',
    VerificationStatus: dkimStatus(identity),
    DkimAttributes: {
      SigningEnabled: true,
      Status: dkimStatus(identity),
      Tokens: identity.tokens,
      SigningAttributesOrigin: 'AWS_SES',
    },
    ...(identity.mailFrom
      ? {
          MailFromAttributes: {
            MailFromDomain: identity.mailFrom,
            MailFromDomainStatus: mailFromStatus(identity),
            BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
          },
        }
      : {}),
  });

  const ownUrl = `http://127.0.0.1:${options.port}`;
  const sesEvents = options.gatewayUrl
    ? await createSesEvents({
        gatewayUrl: options.gatewayUrl,
        standinsUrl: ownUrl,
        sesUrl: options.sesUrl,
        delayMs: options.sesEventDelayMs,
        region,
        log: options.log,
      })
    : null;

  const inbox = createInbox();

  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://standin');
      const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      const sesError = (status: number, type: string, message: string) =>
        reply(status, { message }, { 'x-amzn-errortype': type });

      // The pretend public DNS, through a DNS-over-HTTPS JSON API.
      if (url.pathname === '/dns-query') {
        const name = (url.searchParams.get('name') ?? '').toLowerCase().replace(/\.$/, '');
        const type = (url.searchParams.get('type') ?? '').toUpperCase() as RecordType;
        const values = zone.get(`${type} ${name}`) ?? [];
        return reply(
          200,
          {
            Status: values.length > 0 ? 0 : 3,
            Question: [{ name: `${name}.`, type: TYPE_CODES[type] ?? 0 }],
            Answer: values.map((data) => ({ name: `${name}.`, type: TYPE_CODES[type], TTL: 300, data })),
          },
          { 'content-type': 'application/dns-json' },
        );
      }
      if (url.pathname === '/__standin/dns') {
        if (req.method === 'POST') {
          const { name, type, values } = JSON.parse(body) as {
            name: string;
            type: RecordType;
            values: string[];
          };
          setRecords(type, name, values);
        }
        return reply(200, Object.fromEntries(zone));
      }
      if (url.pathname === '/__standin/publish' && req.method === 'POST') {
        const identity = identities.get(String(JSON.parse(body).domain).toLowerCase());
        if (!identity) return reply(404, { message: 'no such identity' });
        publishDkim(identity);
        publishMailFrom(identity);
        return reply(200, Object.fromEntries(zone));
      }

      // SES v2 configuration sets, as far as a domain's TLS policy needs them (admin's
      // domains-ses.ts): create, read, delete, PUT delivery-options, POST event-destinations.
      const setMatch =
        /^\/v2\/email\/configuration-sets(?:\/([^/]+))?(\/delivery-options|\/event-destinations)?$/.exec(
          url.pathname,
        );
      if (setMatch) {
        if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
          return sesError(
            403,
            'MissingAuthenticationTokenException',
            'Request is missing Authentication Token',
          );
        }
        const input = JSON.parse(body || '{}') as Record<string, unknown>;
        if (!setMatch[1] && req.method === 'POST') {
          const setName = String(input.ConfigurationSetName ?? '');
          if (!/^[A-Za-z0-9_-]{1,64}$/.test(setName)) {
            return sesError(400, 'BadRequestException', 'Invalid ConfigurationSetName');
          }
          if (configurationSets.has(setName)) {
            return sesError(400, 'AlreadyExistsException', `Configuration set ${setName} already exists.`);
          }
          const delivery = input.DeliveryOptions as { TlsPolicy?: string } | undefined;
          configurationSets.set(setName, { tlsPolicy: delivery?.TlsPolicy ?? 'OPTIONAL' });
          return reply(200, {});
        }
        const setName = setMatch[1] ? decodeURIComponent(setMatch[1]) : '';
        const set = configurationSets.get(setName);
        if (!set) return sesError(404, 'NotFoundException', `Configuration set ${setName} does not exist.`);
        if (setMatch[2] === '/delivery-options' && req.method === 'PUT') {
          set.tlsPolicy = String(input.TlsPolicy ?? 'OPTIONAL');
          return reply(200, {});
        }
        if (setMatch[2] === '/event-destinations' && req.method === 'POST') return reply(200, {});
        if (!setMatch[2] && req.method === 'GET') {
          return reply(200, { ConfigurationSetName: setName, DeliveryOptions: { TlsPolicy: set.tlsPolicy } });
        }
        if (!setMatch[2] && req.method === 'DELETE') {
          configurationSets.delete(setName);
          return reply(200, {});
        }
        return sesError(405, 'MethodNotAllowed', `${req.method} is not supported here`);
      }

      // SES v2 identities. SES refuses an unsigned call; so does the stand-in.
      const match = /^\/v2\/email\/identities(?:\/([^/]+))?(\/mail-from)?$/.exec(url.pathname);
      if (match) {
        if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
          return sesError(
            403,
            'MissingAuthenticationTokenException',
            'Request is missing Authentication Token',
          );
        }
        const name = match[1] ? decodeURIComponent(match[1]).toLowerCase() : undefined;
        if (!name && req.method === 'POST') {
          const requested = String(JSON.parse(body || '{}').EmailIdentity ?? '').toLowerCase();
          if (!requested) return sesError(400, 'BadRequestException', 'EmailIdentity is required');
          if (identities.has(requested)) {
            return sesError(400, 'AlreadyExistsException', `Email identity ${requested} already exist.`);
          }
          const identity: Identity = {
            name: requested,
            tokens: [0, 1, 2].map(() => dkimToken()),
            mailFrom: null,
            createdAt: new Date().toISOString(),
          };
          identities.set(requested, identity);
          if (options.autoPublish) publishDkim(identity);
          return reply(200, describe(identity));
        }
        const identity = name ? identities.get(name) : undefined;
        if (!identity)
          return sesError(404, 'NotFoundException', `Email identity ${name ?? ''} does not exist.`);
        if (match[2] && req.method === 'PUT') {
          identity.mailFrom = String(JSON.parse(body || '{}').MailFromDomain ?? '').toLowerCase() || null;
          if (options.autoPublish) publishMailFrom(identity);
          return reply(200, {});
        }
        if (!match[2] && req.method === 'GET') return reply(200, describe(identity));
        if (!match[2] && req.method === 'DELETE') {
          identities.delete(identity.name);
          return reply(200, {});
        }
        return sesError(405, 'MethodNotAllowed', `${req.method} is not supported here`);
      }

      const page = req.method === 'GET' ? inbox.page(url.pathname) : null;
      if (page) {
        res.writeHead(page.status, { 'content-type': page.type });
        res.end(page.body);
        return;
      }
      if (url.pathname === '/sns/cert.pem' && sesEvents) {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' });
        res.end(sesEvents.certPem);
        return;
      }
      if (url.pathname === '/__standin/ses-events' && req.method === 'POST' && sesEvents) {
        const result = await sesEvents.inject(JSON.parse(body || '{}') as InjectRequest);
        return 'error' in result ? reply(result.status, { message: result.error }) : reply(202, result);
      }

      const upstream = await forward(options.sesUrl, req, body);
      if (url.pathname === '/v2/email/outbound-emails' && req.method === 'POST' && upstream.status === 200) {
        const messageId = JSON.parse(upstream.bytes.toString('utf8')).MessageId;
        if (typeof messageId === 'string') {
          const request = JSON.parse(body) as SendEmailRequest;
          sesEvents?.accepted(request, messageId);
          keepRaw(inbox, request, messageId);
        }
      }
      res.writeHead(upstream.status, { 'content-type': upstream.contentType });
      res.end(upstream.bytes);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `stand-in failed: ${String(err)}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return {
    url: ownUrl,
    sesEvents,
    close: () =>
      new Promise((resolve) => {
        sesEvents?.close();
        server.close(() => resolve());
        // workerd keeps connections alive; they must not hold the stop up.
        server.closeAllConnections();
      }),
  };
}

/** A raw SendEmail's message, for the inbox (a Simple one has no raw bytes to show). */
function keepRaw(inbox: ReturnType<typeof createInbox>, request: SendEmailRequest, messageId: string) {
  const data = request.Content?.Raw?.Data;
  if (!data) return;
  const raw = Buffer.from(data, 'base64').toString('utf8');
  const head = raw.split(/\r?\n\r?\n/, 1)[0]?.replace(/\r?\n[ \t]+/g, ' ') ?? '';
  const subject = /^subject:\s*(.*)$/im.exec(head)?.[1] ?? '';
  inbox.keep({
    messageId,
    at: new Date().toISOString(),
    from: request.FromEmailAddress ?? '',
    to: [
      ...(request.Destination?.ToAddresses ?? []),
      ...(request.Destination?.CcAddresses ?? []),
      ...(request.Destination?.BccAddresses ?? []),
    ],
    subject,
    raw,
  });
}

/** 32 characters of [a-z0-9], as SES's Easy DKIM tokens. */
function dkimToken(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
}

async function forward(target: string, req: IncomingMessage, body: string) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers.set(name, value);
  }
  const upstream = await fetch(`${target}${req.url}`, {
    method: req.method,
    headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
  });
  return {
    status: upstream.status,
    contentType: upstream.headers.get('content-type') ?? 'application/json',
    bytes: Buffer.from(await upstream.arrayBuffer()),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
