// A programmable SES stand-in between the send worker and aws-ses-v2-local. It records the exact
// raw message (and envelope) of every SendEmail call, forwards it to the local SES, and can be told
// to answer a share of calls with 429, 500, or no answer at all, to prove retries lose nothing and
// send nothing twice. It also serves the test SNS signing certificate. Tests drive it over HTTP: GET /__records, POST /__faults, POST /__reset.
// Everything else — SES's identity API (domains) and the stand-ins' DNS controls under /__standin/ —
// passes through untouched to its target, the stack's aws-standins.ts, which forwards the rest to
// the local SES.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Faults {
  /** Shares of SendEmail calls (0..1) answered 429, 500, or left hanging. The rest go through. */
  throttle: number;
  error: number;
  hang: number;
}

export interface SesRecord {
  /** The SES message id the local SES gave it. */
  message_id: string;
  eml: string;
  destination: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  tags: { Name: string; Value: string }[];
  configuration_set: string | null;
}

export interface SesProxy {
  url: string;
  close(): Promise<void>;
}

export async function startSesProxy(target: string, port: number): Promise<SesProxy> {
  let faults: Faults = { throttle: 0, error: 0, hang: 0 };
  let records: SesRecord[] = [];
  const counts = { calls: 0, throttled: 0, errored: 0, hung: 0 };
  const hanging = new Set<ServerResponse>();

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.url === '/__records') return reply(200, { records, counts });
    // The SNS signing certificate the mesh's signed notifications name (see sns.ts).
    if (req.url === '/sns/cert.pem') {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      res.end(
        readFileSync(new URL('../../workers/gateway/test/fixtures/sns-test-cert.pem', import.meta.url)),
      );
      return;
    }
    if (req.url === '/__faults' && req.method === 'POST') {
      faults = { throttle: 0, error: 0, hang: 0, ...JSON.parse(body) };
      return reply(200, faults);
    }
    if (req.url === '/__reset' && req.method === 'POST') {
      faults = { throttle: 0, error: 0, hang: 0 };
      records = [];
      Object.assign(counts, { calls: 0, throttled: 0, errored: 0, hung: 0 });
      return reply(200, {});
    }
    if (req.url === '/v2/email/outbound-emails' && req.method === 'POST') {
      counts.calls++;
      const roll = Math.random();
      if (roll < faults.throttle) {
        counts.throttled++;
        return reply(429, { message: 'Maximum sending rate exceeded.' });
      }
      if (roll < faults.throttle + faults.error) {
        counts.errored++;
        return reply(500, { message: 'Internal failure (stand-in).' });
      }
      if (roll < faults.throttle + faults.error + faults.hang) {
        counts.hung++;
        hanging.add(res); // never answered; the worker's timeout gives up on it
        res.on('close', () => hanging.delete(res));
        return;
      }
    }
    // Everything else goes to the local SES as it came.
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers.set(name, value);
    }
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    });
    const text = await upstream.text();
    if (req.url === '/v2/email/outbound-emails' && upstream.ok) {
      const request = JSON.parse(body);
      records.push({
        message_id: JSON.parse(text).MessageId,
        eml: Buffer.from(request.Content.Raw.Data, 'base64').toString('utf8'),
        destination: request.Destination ?? {},
        tags: request.EmailTags ?? [],
        configuration_set: request.ConfigurationSetName ?? null,
      });
    }
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
    });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
      }),
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
