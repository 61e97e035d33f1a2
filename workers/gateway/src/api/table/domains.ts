// Resend's Domains API, forwarded to admin's DomainsService. Update and verify answer with the whole
// domain (Resend's `{ object, id }` plus its status and records).
import {
  CreateDomainRequest,
  DeletedDomain,
  DomainList,
  DomainObject,
  ListDomainsQuery,
  UpdateDomainRequest,
} from '@mailgrid/contracts';
import { uuid } from '../params';
import { route } from '../route';

const id = uuid('a domain');

export const domainRoutes = [
  route({
    operationId: 'domains/create',
    method: 'POST',
    path: '/api/domains',
    summary: 'Add a sending domain',
    description: 'Registers the SES identity and answers the DNS records to publish.',
    body: CreateDomainRequest,
    response: DomainObject,
    status: 201,
    call: ({ env, caller, body }) => env.DOMAINS.createDomain(caller, body),
  }),
  route({
    operationId: 'domains/list',
    method: 'GET',
    path: '/api/domains',
    summary: 'List domains',
    query: ListDomainsQuery,
    response: DomainList,
    call: ({ env, caller, query }) => env.DOMAINS.listDomains(caller, query),
  }),
  route({
    operationId: 'domains/get',
    method: 'GET',
    path: '/api/domains/:id',
    summary: 'Retrieve a domain and its records',
    params: { id },
    response: DomainObject,
    call: ({ env, caller, params }) => env.DOMAINS.getDomain(caller, params.id),
  }),
  route({
    operationId: 'domains/update',
    method: 'PATCH',
    path: '/api/domains/:id',
    summary: "Change a domain's tracking and return path",
    params: { id },
    body: UpdateDomainRequest,
    response: DomainObject,
    call: ({ env, caller, params, body }) => env.DOMAINS.updateDomain(caller, params.id, body),
  }),
  route({
    operationId: 'domains/delete',
    method: 'DELETE',
    path: '/api/domains/:id',
    summary: 'Remove a domain',
    params: { id },
    response: DeletedDomain,
    call: ({ env, caller, params }) => env.DOMAINS.deleteDomain(caller, params.id),
  }),
  route({
    operationId: 'domains/verify',
    method: 'POST',
    path: '/api/domains/:id/verify',
    summary: "Check a domain's DNS records and SES status now",
    params: { id },
    response: DomainObject,
    call: ({ env, caller, params }) => env.DOMAINS.verifyDomain(caller, params.id),
  }),
];
