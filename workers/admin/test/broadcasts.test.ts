// MessagingService's broadcast methods over real RPC, against the local D1: what may be created and
// changed in which status, duplicates, tenants kept apart, and what the recipient rows and their
// events say (progress, stats, recipients, clicked links). Sending is the send worker's: here the
// status and the recipient rows it would write are set straight in D1.
import type { BroadcastContent, BroadcastStatus, Caller, RpcResult } from '@mailgrid/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditOf, later } from './audience-helpers';
import { audience, failure, messaging, realEnv, twoTenants, value } from './helpers';

let acme: Caller;
let globex: Caller;
let segment: string;

beforeEach(async () => {
  ({ acme, globex } = await twoTenants());
  segment = value(await audience.createSegment(acme, { name: 'Customers' })).id;
});

function content(overrides: Partial<BroadcastContent> = {}): BroadcastContent {
  return {
    segment_id: segment,
    from: 'Acme <news@acme.example.test>',
    subject: 'Spring news',
    html: '<p>Hi {{{contact.first_name|there}}}</p>',
    ...overrides,
  };
}

async function create(overrides: Partial<BroadcastContent> = {}, caller = acme): Promise<string> {
  return value(await messaging.createBroadcast(caller, content(overrides))).id;
}

async function setStatus(id: string, status: BroadcastStatus, extra = ''): Promise<void> {
  await realEnv.DB.prepare(`UPDATE broadcasts SET status = ?${extra} WHERE id = ?`).bind(status, id).run();
}

describe('creating and reading', () => {
  it('creates a draft, named after its subject unless named, and reads it in Resend’s shape', async () => {
    const id = await create({ reply_to: 'help@acme.example.test', preview_text: 'What is new' });
    expect(value(await messaging.getBroadcast(acme, id, {}))).toEqual({
      object: 'broadcast',
      id,
      name: 'Spring news',
      segment_id: segment,
      audience_id: segment,
      from: 'Acme <news@acme.example.test>',
      subject: 'Spring news',
      reply_to: ['help@acme.example.test'],
      preview_text: 'What is new',
      status: 'draft',
      created_at: expect.any(String),
      scheduled_at: null,
      sent_at: null,
      topic_id: null,
      html: '<p>Hi {{{contact.first_name|there}}}</p>',
      text: null,
      stream: 'broadcast',
      rate_per_second: null,
      progress: {
        recipients: null,
        sent: 0,
        failed: 0,
        skipped: 0,
        pending: 0,
        percentage: 0,
        estimated_finish_at: null,
      },
      stats: { sent: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, complained: 0, unsubscribed: 0 },
    });
    const named = await create({ name: 'April issue', text: '', reply_to: null });
    const read = value(await messaging.getBroadcast(acme, named, {}));
    expect(read).toMatchObject({ name: 'April issue', text: '', reply_to: null });
    expect((await auditOf(acme.tenant_id, named)).map((entry) => [entry.action, entry.summary])).toEqual([
      ['broadcast.created', { name: 'April issue', segment_id: segment }],
    ]);
  });

  it('goes out on the broadcast stream unless told, at its own pace when capped', async () => {
    const id = await create({ rate_per_second: 2.5 });
    expect(value(await messaging.getBroadcast(acme, id, {}))).toMatchObject({
      stream: 'broadcast',
      rate_per_second: 2.5,
    });
    const unknown = failure(await messaging.createBroadcast(acme, content({ stream: 'newsletter' })));
    expect(unknown.message).toMatch(/no stream "newsletter"/);
    value(await messaging.updateBroadcast(acme, id, { rate_per_second: null }));
    expect(value(await messaging.getBroadcast(acme, id, {})).rate_per_second).toBeNull();
  });

  it('takes audience_id, the deprecated name of segment_id, but not two different segments', async () => {
    const id = await create({ segment_id: undefined, audience_id: segment });
    expect(value(await messaging.getBroadcast(acme, id, {})).segment_id).toBe(segment);
    const other = value(await audience.createSegment(acme, { name: 'Leads' })).id;
    expect(failure(await messaging.createBroadcast(acme, content({ audience_id: other }))).message).toMatch(
      /segment_id and audience_id name different segments/,
    );
  });

  it('refuses what cannot be sent, naming the problem, and stores nothing', async () => {
    const foreignSegment = value(await audience.createSegment(globex, { name: 'Theirs' })).id;
    const foreignTopic = value(
      await audience.createTopic(globex, { name: 'News', default_subscription: 'opt_in' }),
    ).id;
    const cases: [Partial<BroadcastContent>, string, RegExp][] = [
      [
        { segment_id: undefined },
        'missing_required_field',
        /segment_id \(or its deprecated name audience_id\)/,
      ],
      [{ from: undefined }, 'missing_required_field', /from/],
      [{ subject: undefined }, 'missing_required_field', /subject/],
      [{ html: undefined }, 'missing_required_field', /html or text/],
      [{ html: '', text: '' }, 'missing_required_field', /html or text/],
      [{ segment_id: foreignSegment }, 'invalid_parameter', /segment_id: there is no segment/],
      [{ topic_id: foreignTopic }, 'invalid_parameter', /topic_id: there is no topic/],
      [{ subject: 'Hi {{{NAME}}}' }, 'invalid_parameter', /subject: "\{\{\{NAME\}\}\}" is not a merge tag/],
      [
        { text: 'Your plan: {{{contact.plan}}}' },
        'invalid_parameter',
        /\{\{\{contact\.plan\}\}\} names no contact property/,
      ],
    ];
    for (const [overrides, code, message] of cases) {
      const error = failure(await messaging.createBroadcast(acme, content(overrides)));
      expect([error.code, error.message], JSON.stringify(overrides)).toEqual([
        code,
        expect.stringMatching(message),
      ]);
    }
    expect(value(await messaging.listBroadcasts(acme, { limit: 10 })).data).toEqual([]);
  });

  it('takes merge tags of declared contact properties, and a topic of the tenant', async () => {
    value(await audience.createContactProperty(acme, { key: 'plan', type: 'string' }));
    const topic = value(
      await audience.createTopic(acme, { name: 'News', default_subscription: 'opt_in' }),
    ).id;
    const id = await create({
      subject: 'Your {{{contact.plan|free}}} plan',
      text: '{{{FIRST_NAME|Hi}}}, unsubscribe: {{{RESEND_UNSUBSCRIBE_URL}}}',
      topic_id: topic,
    });
    expect(value(await messaging.getBroadcast(acme, id, {})).topic_id).toBe(topic);
  });

  it('lists newest first, in pages, filtered by status', async () => {
    const first = await create({ name: 'One' });
    await later();
    const second = await create({ name: 'Two' });
    await later();
    const third = await create({ name: 'Three' });
    await setStatus(second, 'sent');
    const page = value(await messaging.listBroadcasts(acme, { limit: 2 }));
    expect(page).toMatchObject({ object: 'list', has_more: true });
    expect(page.data.map((b) => b.name)).toEqual(['Three', 'Two']);
    expect(page.data[0]).toEqual({
      id: third,
      name: 'Three',
      audience_id: segment,
      segment_id: segment,
      status: 'draft',
      created_at: expect.any(String),
      scheduled_at: null,
      sent_at: null,
    });
    expect(
      value(await messaging.listBroadcasts(acme, { limit: 2, after: second })).data.map((b) => b.id),
    ).toEqual([first]);
    expect(
      value(await messaging.listBroadcasts(acme, { limit: 10, status: 'draft' })).data.map((b) => b.id),
    ).toEqual([third, first]);
    expect(failure(await messaging.listBroadcasts(acme, { limit: 2, after: crypto.randomUUID() })).code).toBe(
      'invalid_parameter',
    );
  });
});

describe('changing and deleting', () => {
  it('changes any field of a draft or a scheduled broadcast, auditing what changed', async () => {
    const id = await create();
    expect(
      value(await messaging.updateBroadcast(acme, id, { subject: 'Summer news', html: null, text: 'Hi' })),
    ).toEqual({
      object: 'broadcast',
      id,
    });
    await setStatus(id, 'scheduled');
    value(
      await messaging.updateBroadcast(acme, id, {
        from: 'news@acme.example.test',
        reply_to: ['a@acme.example.test'],
      }),
    );
    expect(value(await messaging.getBroadcast(acme, id, {}))).toMatchObject({
      subject: 'Summer news',
      html: null,
      text: 'Hi',
      from: 'news@acme.example.test',
      reply_to: ['a@acme.example.test'],
      status: 'scheduled',
    });
    expect((await auditOf(acme.tenant_id, id)).slice(1).map((entry) => entry.summary)).toEqual([
      { fields: ['subject', 'html', 'text'] },
      { fields: ['from_address', 'reply_to'] },
    ]);
  });

  it('checks the content as it would be after the change', async () => {
    const id = await create({ text: null });
    expect(failure(await messaging.updateBroadcast(acme, id, { html: null })).message).toMatch(
      /html or text/,
    );
    expect(failure(await messaging.updateBroadcast(acme, id, { html: '{{{contact.age}}}' })).message).toMatch(
      /contact\.age/,
    );
    expect(failure(await messaging.updateBroadcast(acme, id, { segment_id: crypto.randomUUID() })).code).toBe(
      'invalid_parameter',
    );
  });

  it.each(['queued', 'paused', 'sent', 'canceled'] as const)(
    'once %s, only the name may change, and it cannot be deleted',
    async (status) => {
      const id = await create();
      await setStatus(id, status);
      const refused = failure(
        await messaging.updateBroadcast(acme, id, { subject: 'Changed', name: 'Renamed' }),
      );
      expect(refused).toEqual({
        code: 'invalid_parameter',
        message: expect.stringContaining(
          `is ${status}: once sending has started only its name can change (got subject)`,
        ),
      });
      // What it already says is not a change.
      value(await messaging.updateBroadcast(acme, id, { subject: 'Spring news', name: 'Renamed' }));
      expect(value(await messaging.getBroadcast(acme, id, {}))).toMatchObject({
        name: 'Renamed',
        subject: 'Spring news',
      });
      expect(failure(await messaging.deleteBroadcast(acme, id)).message).toMatch(
        new RegExp(`is ${status}: only a draft or a scheduled broadcast can be deleted`),
      );
      expect(value(await messaging.getBroadcast(acme, id, {})).status).toBe(status);
    },
  );

  it('deletes a draft or a scheduled broadcast', async () => {
    const draft = await create();
    const scheduled = await create();
    await setStatus(scheduled, 'scheduled', ", scheduled_at = '2030-01-01T00:00:00.000Z'");
    for (const id of [draft, scheduled]) {
      expect(value(await messaging.deleteBroadcast(acme, id))).toEqual({
        object: 'broadcast',
        id,
        deleted: true,
      });
      expect(failure(await messaging.getBroadcast(acme, id, {})).code).toBe('not_found');
    }
    expect((await auditOf(acme.tenant_id, draft)).map((entry) => entry.action)).toEqual([
      'broadcast.created',
      'broadcast.deleted',
    ]);
  });

  it('duplicates into a draft named "<name> (copy)", at most 70 characters', async () => {
    const id = await create({ name: 'April', text: 'Plain', reply_to: 'help@acme.example.test' });
    await setStatus(id, 'sent');
    const copy = value(await messaging.duplicateBroadcast(acme, id)).id;
    const original = value(await messaging.getBroadcast(acme, id, {}));
    const duplicate = value(await messaging.getBroadcast(acme, copy, {}));
    expect(duplicate).toEqual({
      ...original,
      id: copy,
      name: 'April (copy)',
      status: 'draft',
      created_at: expect.any(String),
    });
    const long = await create({ name: 'N'.repeat(200) });
    const longCopy = value(
      await messaging.getBroadcast(acme, value(await messaging.duplicateBroadcast(acme, long)).id, {}),
    );
    expect(longCopy.name).toBe(`${'N'.repeat(63)} (copy)`);
    expect((await auditOf(acme.tenant_id, copy)).map((entry) => [entry.action, entry.summary])).toEqual([
      ['broadcast.duplicated', { name: 'April (copy)', source_id: id }],
    ]);
  });

  it("answers not_found for another tenant's broadcast on every method", async () => {
    const id = await create();
    const page = { limit: 10 };
    const results: RpcResult<unknown>[] = [
      await messaging.getBroadcast(globex, id, {}),
      await messaging.updateBroadcast(globex, id, { name: 'Mine now' }),
      await messaging.deleteBroadcast(globex, id),
      await messaging.duplicateBroadcast(globex, id),
      await messaging.listBroadcastRecipients(globex, id, page),
      await messaging.listBroadcastClickedLinks(globex, id, page),
    ];
    for (const result of results)
      expect(failure(result)).toEqual({ code: 'not_found', message: `Broadcast ${id} not found.` });
    expect(value(await messaging.listBroadcasts(globex, page)).data).toEqual([]);
    expect(value(await messaging.getBroadcast(acme, id, {})).name).toBe('Spring news');
  });
});

describe('progress, stats, recipients and clicked links', () => {
  const LINK_A = 'https://acme.example.test/a';
  const LINK_B = 'https://acme.example.test/b';
  let id: string;
  let rows: Record<'ada' | 'bob' | 'cyd' | 'dee' | 'eve', string>;

  /** A recipient row as the fan-out writes it. */
  async function recipient(email: string, status: string): Promise<string> {
    const row = crypto.randomUUID();
    const domain = await realEnv.DB.prepare('SELECT id FROM domains WHERE tenant_id = ?')
      .bind(acme.tenant_id)
      .first<string>('id');
    await realEnv.DB.prepare(
      `INSERT INTO emails (id, tenant_id, domain_id, stream, from_address, to_addresses, subject, body_key, status,
         last_event, broadcast_id, contact_id, created_at)
       VALUES (?, ?, ?, 'broadcast', 'news@acme.example.test', ?, 'Spring news', 'k', ?, ?, ?, ?, ?)`,
    )
      .bind(
        row,
        acme.tenant_id,
        domain,
        JSON.stringify([email]),
        status,
        status,
        id,
        crypto.randomUUID(),
        new Date().toISOString(),
      )
      .run();
    await later();
    return row;
  }

  async function event(
    emailId: string,
    type: string,
    data: Record<string, unknown> = {},
    machine = 0,
  ): Promise<void> {
    await realEnv.DB.prepare(
      `INSERT INTO events (id, tenant_id, email_id, type, recipient, occurred_at, source, dedupe_key, data, machine, created_at)
       VALUES (?, ?, ?, ?, NULL, ?, 'tracking', ?, ?, ?, ?)`,
    )
      .bind(
        crypto.randomUUID(),
        acme.tenant_id,
        emailId,
        type,
        new Date().toISOString(),
        crypto.randomUUID(),
        JSON.stringify(data),
        machine,
        new Date().toISOString(),
      )
      .run();
    await later();
  }

  beforeEach(async () => {
    id = await create();
    rows = {
      ada: await recipient('ada@example.com', 'sent'),
      bob: await recipient('bob@example.com', 'sent'),
      cyd: await recipient('cyd@example.com', 'failed'),
      dee: await recipient('dee@example.com', 'suppressed'),
      eve: await recipient('eve@example.com', 'queued'),
    };
    // Sending started a minute ago; the audience froze at 4 (the suppressed address left out).
    await setStatus(
      id,
      'queued',
      `, recipients = 4, sent_at = '${new Date(Date.now() - 60_000).toISOString()}'`,
    );
    await event(rows.ada, 'email.delivered');
    await event(rows.ada, 'email.delivered');
    await event(rows.bob, 'email.delivered');
    await event(rows.ada, 'email.opened');
    await event(rows.ada, 'email.opened');
    await event(rows.bob, 'email.opened', {}, 1);
    await event(rows.ada, 'email.clicked', { link: LINK_A });
    await event(rows.ada, 'email.clicked', { link: LINK_B });
    await event(rows.ada, 'email.clicked', { link: LINK_A });
    await event(rows.bob, 'email.clicked', { link: LINK_A }, 1);
    await event(rows.cyd, 'email.bounced', { bounce_type: 'Transient' });
    await event(rows.cyd, 'email.bounced', { bounce_type: 'Permanent' });
    await event(rows.ada, 'email.unsubscribed');
  });

  it('shows progress from the recipient rows and stats per recipient, people only unless asked', async () => {
    const before = Date.now();
    const read = value(await messaging.getBroadcast(acme, id, {}));
    expect(read.progress).toEqual({
      recipients: 4,
      sent: 2,
      failed: 1,
      skipped: 1,
      pending: 1,
      percentage: 75,
      estimated_finish_at: expect.any(String),
    });
    // 3 settled in a minute: the last one about 20 s from now.
    const eta = Date.parse(read.progress.estimated_finish_at as string) - before;
    expect(eta).toBeGreaterThan(10_000);
    expect(eta).toBeLessThan(30_000);
    expect(read.stats).toEqual({
      sent: 2,
      delivered: 2,
      opened: 1,
      clicked: 1,
      bounced: 1,
      complained: 0,
      unsubscribed: 1,
    });
    expect(value(await messaging.getBroadcast(acme, id, { include_machine: 'true' })).stats).toMatchObject({
      opened: 2,
      clicked: 2,
    });
    await setStatus(id, 'paused');
    expect(value(await messaging.getBroadcast(acme, id, {})).progress.estimated_finish_at).toBeNull();
  });

  it('lists recipients by status or by event, with what each type adds', async () => {
    const list = async (query: Record<string, unknown>) =>
      value(await messaging.listBroadcastRecipients(acme, id, { limit: 10, ...query })).data;
    expect(await list({ type: 'sent' })).toEqual([
      { id: rows.bob, contact_id: expect.any(String), email: 'bob@example.com', status: 'sent' },
      { id: rows.ada, contact_id: expect.any(String), email: 'ada@example.com', status: 'sent' },
    ]);
    expect((await list({ type: 'suppressed' })).map((r) => r.email)).toEqual(['dee@example.com']);
    expect((await list({ type: 'delivered' })).map((r) => r.email)).toEqual([
      'bob@example.com',
      'ada@example.com',
    ]);
    expect(await list({ type: 'opened' })).toMatchObject([{ email: 'ada@example.com', count: 2 }]);
    expect(await list({ type: 'opened', include_machine: 'true' })).toMatchObject([
      { email: 'bob@example.com', count: 1 },
      { email: 'ada@example.com', count: 2 },
    ]);
    expect(await list({ type: 'clicked' })).toEqual([
      {
        id: rows.ada,
        contact_id: expect.any(String),
        email: 'ada@example.com',
        status: 'sent',
        count: 3,
        clicked_links: [
          { url: LINK_A, clicks: 2 },
          { url: LINK_B, clicks: 1 },
        ],
      },
    ]);
    expect(await list({ type: 'bounced' })).toMatchObject([
      { email: 'cyd@example.com', bounce_type: 'permanent' },
    ]);
    expect(await list({ type: 'bounced', bounce_type: 'permanent' })).toHaveLength(1);
    expect(await list({ type: 'bounced', bounce_type: 'transient' })).toEqual([]);
    expect(await list({ type: 'unsubscribed' })).toMatchObject([{ email: 'ada@example.com' }]);
    expect(await list({ type: 'complained' })).toEqual([]);
    expect((await list({ email: 'A@EX' })).map((r) => r.email)).toEqual(['ada@example.com']);
    expect((await list({})).map((r) => r.status)).toEqual(['queued', 'suppressed', 'failed', 'sent', 'sent']);
  });

  it('pages recipients, and refuses a cursor that is not one of them', async () => {
    const first = value(await messaging.listBroadcastRecipients(acme, id, { limit: 2 }));
    expect(first).toMatchObject({ has_more: true, data: [{ id: rows.eve }, { id: rows.dee }] });
    const next = value(await messaging.listBroadcastRecipients(acme, id, { limit: 2, after: rows.dee }));
    expect(next).toMatchObject({ has_more: true, data: [{ id: rows.cyd }, { id: rows.bob }] });
    const back = value(await messaging.listBroadcastRecipients(acme, id, { limit: 2, before: rows.cyd }));
    expect(back.data.map((r) => r.id)).toEqual([rows.eve, rows.dee]);
    expect(
      failure(await messaging.listBroadcastRecipients(acme, id, { limit: 2, after: crypto.randomUUID() }))
        .code,
    ).toBe('invalid_parameter');
  });

  it('lists the clicked links, most clicked first, in pages', async () => {
    const links = value(await messaging.listBroadcastClickedLinks(acme, id, { limit: 10 }));
    expect(links).toEqual({
      object: 'list',
      has_more: false,
      data: [
        { id: expect.stringMatching(/^[0-9a-f-]{36}$/), url: LINK_A, clicks: 2, unique_clicks: 1 },
        { id: expect.stringMatching(/^[0-9a-f-]{36}$/), url: LINK_B, clicks: 1, unique_clicks: 1 },
      ],
    });
    const withMachines = value(
      await messaging.listBroadcastClickedLinks(acme, id, { limit: 1, include_machine: 'true' }),
    );
    expect(withMachines).toMatchObject({
      has_more: true,
      data: [{ url: LINK_A, clicks: 3, unique_clicks: 2 }],
    });
    const after = value(
      await messaging.listBroadcastClickedLinks(acme, id, { limit: 1, after: withMachines.data[0]?.id }),
    );
    expect(after).toMatchObject({ has_more: false, data: [{ url: LINK_B, clicks: 1 }] });
  });
});
