// POST /api/webhooks/ses: Amazon SNS deliveries of SES event notifications. Public (SNS cannot send
// an API key): every message is authenticated by its SNS signature instead, and anything refused is
// a 4xx that stores and enqueues nothing. Verified notifications go to EVENTS_QUEUE for the events
// worker; the answer does not wait for their processing.
import { AppError, type SesNotificationMessage } from '@mailgrid/contracts';
import type { CallContext } from '../api/route';
import { json } from '../http/responses';
import { readSnsBody } from '../sns/body';
import { parseSnsMessage } from '../sns/message';
import { checkSnsUrl, snsPolicy } from '../sns/policy';
import { verifySnsMessage } from '../sns/verify';

export async function sesWebhook({
  request,
  env,
}: CallContext<string, 'public', undefined, undefined>): Promise<Response> {
  const message = parseSnsMessage(await readSnsBody(request));
  // SNS names the type in a header too; a body that disagrees with it is not what SNS sent.
  const headerType = request.headers.get('x-amz-sns-message-type');
  if (headerType && headerType !== message.Type) {
    throw new AppError('invalid_sns_message', `x-amz-sns-message-type ${headerType} does not match Type.`);
  }
  const policy = snsPolicy(env);
  await verifySnsMessage(message, policy);

  switch (message.Type) {
    case 'Notification': {
      const queued: SesNotificationMessage = {
        kind: 'ses.notification',
        sns_message_id: message.MessageId,
        topic_arn: message.TopicArn,
        received_at: new Date().toISOString(),
        message: message.Message,
      };
      await env.EVENTS_QUEUE.send(queued);
      return json({ received: true });
    }
    case 'SubscriptionConfirmation': {
      // Checked only now, after the signature: the URL is signed, but must also point at SNS.
      const subscribeUrl = checkSnsUrl(policy, 'SubscribeURL', message.SubscribeURL ?? '');
      const response = await fetch(subscribeUrl.href, { redirect: 'manual' });
      await response.body?.cancel();
      if (!response.ok) {
        // SNS resends the confirmation on a 5xx; a lasting failure shows in the log.
        console.error(
          JSON.stringify({
            sns: 'subscription confirmation failed',
            topic: message.TopicArn,
            status: response.status,
          }),
        );
        throw new AppError('service_unavailable', 'Confirming the SNS subscription failed; retry later.');
      }
      console.log(JSON.stringify({ sns: 'subscription confirmed', topic: message.TopicArn }));
      return json({ confirmed: true });
    }
    case 'UnsubscribeConfirmation':
      // Nothing to do: the subscription is gone. Logged so an unexpected unsubscribe is noticed.
      console.log(JSON.stringify({ sns: 'unsubscribed', topic: message.TopicArn }));
      return json({ received: true });
  }
}
