// Resend's Templates API: POST/GET /api/templates, GET/PATCH/DELETE /api/templates/:id, and
// POST /api/templates/:id/publish and /duplicate, forwarded to `admin`. `:id` is an id or an alias.
import {
  AppError,
  CreateTemplateRequest,
  ListTemplatesQuery,
  TEMPLATE_REF_PATTERN,
  UpdateTemplateRequest,
  unwrap,
} from '@mailgrid/contracts';
import { parseBody, readJson } from '../http/body';
import { json } from '../http/responses';
import type { RouteContext } from '../router';

export async function createTemplate({
  request,
  env,
  caller,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const input = parseBody(CreateTemplateRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.createTemplate(caller, input)), 201);
}

export async function listTemplates({ request, env, caller }: RouteContext): Promise<Response> {
  const query = parseBody(ListTemplatesQuery, Object.fromEntries(new URL(request.url).searchParams));
  return json(unwrap(await env.ADMIN.listTemplates(caller, query)));
}

export async function getTemplate({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.getTemplate(caller, templateRef(params.id))));
}

export async function updateTemplate({
  request,
  env,
  caller,
  params,
  maxBodyBytes,
}: RouteContext): Promise<Response> {
  const ref = templateRef(params.id);
  const input = parseBody(UpdateTemplateRequest, await readJson(request, maxBodyBytes));
  return json(unwrap(await env.ADMIN.updateTemplate(caller, ref, input)));
}

export async function deleteTemplate({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.deleteTemplate(caller, templateRef(params.id))));
}

export async function publishTemplate({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.publishTemplate(caller, templateRef(params.id))));
}

export async function duplicateTemplate({ env, caller, params }: RouteContext): Promise<Response> {
  return json(unwrap(await env.ADMIN.duplicateTemplate(caller, templateRef(params.id))), 201);
}

function templateRef(ref: string | undefined): string {
  if (!ref || !TEMPLATE_REF_PATTERN.test(ref)) {
    throw new AppError('invalid_parameter', 'The template id must be a template id or alias.');
  }
  return ref;
}
