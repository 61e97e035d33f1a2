import type { KeyEnvironment } from '@mailgrid/api-keys';
import type {
  ContactImportChunkMessage,
  RpcBinding,
  SendRpc,
  WebhookDeliverMessage,
} from '@mailgrid/contracts';

export interface Env {
  ENVIRONMENT: string;
  /** The `<env>` part of new keys: `dev` locally, `test` on staging, `live` in production. */
  API_KEY_ENV: KeyEnvironment;
  DB: D1Database;
  /** The gateway's key cache: admin deletes a revoked key's entry. */
  API_KEYS: KVNamespace;
  FILES: R2Bucket;
  /** Replays of webhook deliveries, consumed by the events worker. */
  WEBHOOKS_QUEUE: Queue<WebhookDeliverMessage>;
  /** CSV imports' chunks, produced and consumed by admin (imports/). */
  IMPORTS_QUEUE: Queue<ContactImportChunkMessage>;
  // SES v2 identity APIs (domains), signed with SigV4 like the send worker's SendEmail.
  SES_ENDPOINT: string;
  SES_REGION: string;
  SES_ACCESS_KEY_ID: string;
  SES_SECRET_ACCESS_KEY: string;
  /** A DNS-over-HTTPS resolver's JSON API, for checking a domain's records. */
  DOH_URL?: string;
  /**
   * The tracking worker's public host: a domain's custom tracking hostname must be a CNAME to it
   * (shown as the domain's `Tracking` record). Unset: no such record is shown.
   */
  TRACKING_CNAME_TARGET?: string;
  /** Invitation emails go out through Mailgrid itself: the send worker's accept, as the platform tenant. */
  SEND: RpcBinding<SendRpc>;
  /** The tenant that sends Mailgrid's own emails (invitations); it needs a verified domain for INVITE_FROM. */
  PLATFORM_TENANT_ID: string;
  /** The From of invitation emails, e.g. `Mailgrid <no-reply@example.com>`. */
  INVITE_FROM: string;
}
