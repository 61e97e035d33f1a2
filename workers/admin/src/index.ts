// mailgrid-admin: everything a customer configures, reached over RPC through one entrypoint per area
// (src/entrypoints/); each caller binds the one it needs. Every RPC method is the function of the same
// name (entrypoints/define.ts).
import type { QueueMessageBase } from '@mailgrid/contracts';
import { runMeteredQueue } from '@mailgrid/runtime';
import { METERED } from './entrypoints/define';
import type { Env } from './env';
import { consumeImportsQueue } from './imports';

export { AccountService } from './entrypoints/account';
export { AudienceService } from './entrypoints/audience';
export { DomainsService } from './entrypoints/domains';
export { MessagingService } from './entrypoints/messaging';
export { PreferencesService } from './entrypoints/preferences';

export default {
  // Internal worker: reached over RPC and its own imports queue only.
  async fetch() {
    return new Response('Not found', { status: 404 });
  },
  // The imports queue and its dead-letter queue (imports/consume.ts).
  queue: (batch, env, ctx) => runMeteredQueue('admin', batch, env, METERED, ctx, consumeImportsQueue),
} satisfies ExportedHandler<Env, QueueMessageBase>;
