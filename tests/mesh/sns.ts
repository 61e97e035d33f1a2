// Signed SNS deliveries of SES events, as Amazon would post them to POST /api/webhooks/ses: signed
// (SignatureVersion 2, SHA256withRSA) with the gateway's test-only key, whose certificate the SES
// stand-in serves on loopback (the mesh stack trusts http loopback certificate URLs in development).
import { createSign, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mesh } from './client';

const keyPem = readFileSync(
  new URL('../../workers/gateway/test/fixtures/sns-test-key.pem', import.meta.url),
  'utf8',
);
export const SNS_TOPIC = 'arn:aws:sns:us-east-1:000000000000:mailgrid-ses-events';

export interface SentEmail {
  id: string;
  tenantId: string;
  sesMessageId: string;
  to: string;
}

/** SES's event-publishing JSON for one event about one sent email. */
export function sesEvent(
  email: SentEmail,
  eventType: string,
  extra: Record<string, unknown> = {},
  at = new Date(),
) {
  return {
    eventType,
    mail: {
      timestamp: new Date(at.getTime() - 5000).toISOString(),
      messageId: email.sesMessageId,
      source: 'hello@sender.mesh.test',
      destination: [email.to],
      tags: {
        mailgrid_email_id: [email.id],
        mailgrid_tenant_id: [email.tenantId],
        mailgrid_stream: ['transactional'],
      },
    },
    ...extra,
  };
}

export function delivery(email: SentEmail, at = new Date()) {
  return sesEvent(
    email,
    'Delivery',
    {
      delivery: {
        timestamp: at.toISOString(),
        recipients: [email.to],
        processingTimeMillis: 120,
        smtpResponse: '250 ok',
      },
    },
    at,
  );
}

export function permanentBounce(email: SentEmail, at = new Date()) {
  return sesEvent(
    email,
    'Bounce',
    {
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [
          {
            emailAddress: email.to,
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: 'smtp; 550 5.1.1 user unknown',
          },
        ],
        timestamp: at.toISOString(),
        feedbackId: randomUUID(),
      },
    },
    at,
  );
}

/** The SNS envelope around an SES event, signed. `tamper` changes it after signing. */
export function snsNotification(event: unknown, tamper?: (fields: Record<string, string>) => void): string {
  const fields: Record<string, string> = {
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: SNS_TOPIC,
    Message: JSON.stringify(event),
    Timestamp: new Date().toISOString(),
    SignatureVersion: '2',
    SigningCertURL: `${mesh.sesProxyUrl}/sns/cert.pem`,
    UnsubscribeURL: `${mesh.sesProxyUrl}/sns/unsubscribe`,
  };
  const canonical = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
    .filter((name) => fields[name] !== undefined)
    .map((name) => `${name}\n${fields[name]}\n`)
    .join('');
  fields.Signature = createSign('RSA-SHA256').update(canonical).sign(keyPem, 'base64');
  tamper?.(fields);
  return JSON.stringify(fields);
}

export function postSns(body: string): Promise<Response> {
  return fetch(`${mesh.url}/api/webhooks/ses`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
    body,
  });
}
