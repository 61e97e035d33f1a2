// Resend's Webhooks API: POST/GET /api/webhooks, GET/PATCH/DELETE /api/webhooks/:id, plus Mailgrid's
// GET /api/webhooks/:id/deliveries and POST /api/webhooks/:id/deliveries/:delivery_id/replay,
// forwarded to `admin`. (POST /api/webhooks/ses is SNS's intake, a public route of its own.)
import { AppError, CreateWebhookRequest, UpdateWebhookRequest, unwrap } from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function createWebhook({ request, env, caller, maxBodyBytes }: RouteContext): Promise<Response> {
  const input = parseBody(CreateWebhookRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.createWebhook(caller, input)), 201);
}

export async function listWebhooks({ env, caller }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.listWebhooks(caller)));
}

export async function getWebhook({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.getWebhook(caller, webhookId(params.id))));
}

export async function updateWebhook({
  request,
  env,
  caller,
  params,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const id = webhookId(params.id);
  const input = parseBody(UpdateWebhookRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.updateWebhook(caller, id, input)));
}

export async function deleteWebhook({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.deleteWebhook(caller, webhookId(params.id))));
}

export async function listWebhookDeliveries({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.listWebhookDeliveries(caller, webhookId(params.id))));
}

export async function replayWebhookDelivery({ env, caller, params }: RouteContext): Promise<Response> {
  const deliveryId = params.delivery_id ?? '';
  if (!/^msg_[0-9a-f]{32}$/.test(deliveryId)) throw new AppError('not_found', `No delivery ${deliveryId}.`);
  return json(unwrap(await env.ADMIN.replayWebhookDelivery(caller, webhookId(params.id), deliveryId)), 202);
}

/** Webhook ids are UUIDs: anything else (`ses`, say) names no webhook, so admin is not asked. */
function webhookId(id: string | undefined): string {
  if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new AppError('not_found', `No webhook ${id ?? ''}.`);
  }
  return id;
}
