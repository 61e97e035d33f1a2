// The shape of an SNS HTTP(S) delivery and the exact string SNS signs for each message type, as AWS's
// "Verifying the signatures of Amazon SNS messages" describes: each signed field as `Name\nvalue\n`,
// in byte order of the names, Subject only when the message has one.
import { AppError } from '@mailgrid/contracts';

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export interface SnsMessage {
  Type: SnsMessageType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  /** Confirmations only. */
  SubscribeURL?: string;
  Token?: string;
}

const SIGNED_FIELDS: Record<SnsMessageType, readonly (keyof SnsMessage)[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

const REQUIRED = ['MessageId', 'TopicArn', 'Message', 'Timestamp', 'Signature', 'SigningCertURL'] as const;

/** Checks the parsed body is an SNS message we can verify; anything else is 400 invalid_sns_message. */
export function parseSnsMessage(body: unknown): SnsMessage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The body must be a JSON object (an SNS message).');
  }
  const fields = body as Record<string, unknown>;
  const type = fields.Type;
  if (typeof type !== 'string' || !Object.hasOwn(SIGNED_FIELDS, type)) {
    throw invalid('Type must be Notification, SubscriptionConfirmation or UnsubscribeConfirmation.');
  }
  if (fields.SignatureVersion !== '1' && fields.SignatureVersion !== '2') {
    throw invalid('SignatureVersion must be "1" or "2".');
  }
  const required: readonly string[] =
    type === 'Notification' ? REQUIRED : [...REQUIRED, 'SubscribeURL', 'Token'];
  for (const name of required) {
    if (typeof fields[name] !== 'string' || fields[name] === '') {
      throw invalid(`Missing or empty field: ${name}.`);
    }
  }
  // A Subject that is there must be a string: it is signed, so it cannot be silently dropped.
  if (fields.Subject !== undefined && typeof fields.Subject !== 'string') {
    throw invalid('Subject must be a string.');
  }
  return fields as unknown as SnsMessage;
}

/** The bytes SNS signed: `Name\nvalue\n` for each signed field present, in the documented order. */
export function stringToSign(message: SnsMessage): string {
  let canonical = '';
  for (const name of SIGNED_FIELDS[message.Type]) {
    const value = message[name];
    // Only Subject is optional among the signed fields; parseSnsMessage required the others.
    if (value === undefined) continue;
    canonical += `${name}\n${value}\n`;
  }
  return canonical;
}

function invalid(message: string): AppError {
  return new AppError('invalid_sns_message', message);
}
