// A metering SES stand-in for benchmarks, between the workers (their SES_ENDPOINT) and the stack's
// aws-standins.ts (which forwards to the local SES and publishes SES's events). For every SendEmail
// call it keeps when SES answered (wall clock, ms) and the email's Mailgrid tags (email id, stream),
// and counts the answers by status. aws-ses-v2-local never throttles; with `maxSendRate` the meter
// answers as SES does when an account goes over its maximum send rate — 429 TooManyRequests — from
// a token bucket of that rate and one second of burst, so "throttled" counts what SES would have
// refused. With `forward: false` it answers SendEmail itself (a made-up MessageId: nothing reaches
// the local SES, so no inbox entry and no SES events), to take the local SES and the event loop
// back to the gateway out of a measurement. Every other request passes through untouched.
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface SesSend {
  /** Date.now() when the answer went back to the worker. */
  at: number;
  email_id: string | null;
  stream: string | null;
}

export interface SesMeterOptions {
  /** Where everything goes on (the stack's aws-standins URL). */
  target: string;
  port: number;
  /** Emulate SES's throttling at this many SendEmail calls per second (burst: one second's worth). */
  maxSendRate?: number;
  /** false: answer SendEmail here instead of passing it on (default true). */
  forward?: boolean;
}

export interface SesMeter {
  url: string;
  /** Every SendEmail SES took, in the order answered. */
  sends: SesSend[];
  /** Date.now() of every SendEmail answered 429 (emulated throttling or the target's own). */
  throttled: number[];
  /** SendEmail answers by HTTP status. */
  statuses: Record<string, number>;
  close(): Promise<void>;
}

export async function startSesMeter(options: SesMeterOptions): Promise<SesMeter> {
  const sends: SesSend[] = [];
  const throttled: number[] = [];
  const statuses: Record<string, number> = {};
  const rate = options.maxSendRate;
  let tokens = rate ?? 0;
  let refilledAt = performance.now();
  const take = () => {
    if (rate === undefined) return true;
    const now = performance.now();
    tokens = Math.min(rate, tokens + ((now - refilledAt) / 1000) * rate);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const isSend = req.method === 'POST' && req.url?.split('?')[0] === '/v2/email/outbound-emails';
      if (isSend && !take()) {
        statuses['429'] = (statuses['429'] ?? 0) + 1;
        throttled.push(Date.now());
        res.writeHead(429, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'TooManyRequestsException',
        });
        res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
        return;
      }
      let status: number;
      let contentType: string;
      let bytes: Buffer;
      if (isSend && options.forward === false) {
        status = 200;
        contentType = 'application/json';
        bytes = Buffer.from(JSON.stringify({ MessageId: `meter-${crypto.randomUUID()}` }));
      } else {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (typeof value === 'string' && name !== 'host' && name !== 'content-length')
            headers.set(name, value);
        }
        const upstream = await fetch(`${options.target}${req.url}`, {
          method: req.method,
          headers,
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
        });
        status = upstream.status;
        contentType = upstream.headers.get('content-type') ?? 'application/json';
        bytes = Buffer.from(await upstream.arrayBuffer());
      }
      if (isSend) {
        statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
        if (status === 429) throttled.push(Date.now());
        if (status === 200) {
          const tags = tagsOf(body);
          sends.push({
            at: Date.now(),
            email_id: tags.get('mailgrid_email_id') ?? null,
            stream: tags.get('mailgrid_stream') ?? null,
          });
        }
      }
      res.writeHead(status, { 'content-type': contentType });
      res.end(bytes);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `ses meter failed: ${String(err)}` }));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${options.port}`,
    sends,
    throttled,
    statuses,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // workerd keeps connections alive; they must not hold the stop up.
        server.closeAllConnections();
      }),
  };
}

function tagsOf(body: string): Map<string, string> {
  try {
    const tags = (JSON.parse(body) as { EmailTags?: { Name: string; Value: string }[] }).EmailTags ?? [];
    return new Map(tags.map((tag) => [tag.Name, tag.Value]));
  } catch {
    return new Map();
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
