// Every error Mailgrid returns, in Resend's envelope. The code → status table is the only place a
// status is chosen; workers throw AppError(code, message) and the gateway renders it.
import * as v from 'valibot';

export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_idempotency_key: 400,
  // Well-formed but wrong (a JSON array where an object belongs, dates out of order): 422 like every
  // validation failure; 400 is kept for what cannot be parsed at all.
  validation_error: 422,
  // An SNS delivery to /api/webhooks/ses that is not a well-formed SNS message (fields, type, version).
  invalid_sns_message: 400,
  missing_api_key: 401,
  // Resend answers 403 for a wrong key; Mailgrid answers 401 for every key it cannot authenticate
  // (missing, malformed, unknown, revoked) and keeps 403 for a valid key that lacks permission.
  invalid_api_key: 401,
  // A bearer token that looks like a JWT (a signed-in human) but fails verification: bad signature,
  // expired, wrong issuer or audience, or JWT sign-in is not configured.
  invalid_access_token: 401,
  // The operator routes (/api/operator/*): a missing or wrong OPERATOR_SECRET, or none configured.
  invalid_operator_secret: 401,
  restricted_api_key: 403,
  // A signed-in user whose role does not allow the request (a viewer changing anything, a developer
  // managing users or API keys, an admin touching an owner).
  insufficient_role: 403,
  // A valid JWT whose identity is no Mailgrid user (no accepted invitation, or removed).
  not_a_member: 403,
  // A change (POST, PATCH, DELETE) signed in by the dashboard's session cookie from another site:
  // its Origin is not the API's own (CSRF).
  cross_site_request: 403,
  tenant_suspended: 403,
  // The reputation guardrail paused the stream (bounce or complaint rate at SES's review levels)
  // until the tenant resumes it: POST /api/reputation/resume.
  sending_paused: 403,
  // SNS intake. 403, not 401: an SNS message carries its own proof (the signature), so there is no
  // credential to send and retry with; the proof was checked and refused. SNS does not retry a 4xx.
  invalid_signature: 403,
  // A SigningCertURL or SubscribeURL that is not https on an SNS host.
  untrusted_sns_url: 403,
  // A TopicArn outside SNS_TOPIC_ARNS.
  unknown_sns_topic: 403,
  // A Timestamp more than an hour old: a captured message replayed later.
  sns_message_expired: 403,
  not_found: 404,
  method_not_allowed: 405,
  invalid_idempotent_request: 409,
  concurrent_idempotent_requests: 409,
  // The request clashes with what exists, e.g. a template alias the tenant already uses.
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  missing_required_field: 422,
  invalid_parameter: 422,
  invalid_from_address: 422,
  invalid_attachment: 422,
  rate_limit_exceeded: 429,
  daily_quota_exceeded: 429,
  internal_server_error: 500,
  service_unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** The JSON body of every error response (Resend's shape plus the request id). */
export const ErrorEnvelope = v.pipe(
  v.object({
    statusCode: v.number(),
    name: v.picklist(ERROR_CODES),
    message: v.string(),
    request_id: v.string(),
  }),
  v.title('ErrorEnvelope'),
  v.description("Every error's body: Resend's shape (statusCode, name, message) plus the request id."),
);
export type ErrorEnvelope = v.InferOutput<typeof ErrorEnvelope>;

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra response headers, e.g. `allow` for 405 or the rate-limit headers for 429. */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.headers = headers;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}
