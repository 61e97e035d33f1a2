// Resend's Domains API, forwarded to admin's DomainsService. Update and verify answer with the whole
// domain (Resend's `{ object, id }` plus its status and records).
import {
  ClaimDomainRequest,
  CreateDomainRequest,
  DeletedDomain,
  DomainClaimObject,
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
  // Before `/api/domains/:id`: `claim` is no domain id.
  route({
    operationId: 'domain-claims/create',
    method: 'POST',
    path: '/api/domains/claim',
    summary: 'Claim a domain another account registered',
    description:
      'Creates a placeholder domain and answers the TXT record that proves control of the name; verify the claim once it is published.',
    body: ClaimDomainRequest,
    response: DomainClaimObject,
    status: 201,
    call: ({ env, caller, body }) => env.DOMAINS.claimDomain(caller, body),
  }),
  route({
    operationId: 'domain-claims/get',
    method: 'GET',
    path: '/api/domains/:id/claim',
    summary: "The latest claim of a claim's placeholder domain",
    params: { id },
    response: DomainClaimObject,
    call: ({ env, caller, params }) => env.DOMAINS.getDomainClaim(caller, params.id),
  }),
  route({
    operationId: 'domain-claims/verify',
    method: 'POST',
    path: '/api/domains/:id/claim/verify',
    summary: 'Check the claim’s TXT record and, found, take the domain over',
    description:
      'The previous owner loses the domain (kept in its history, no longer able to send); the SES identity is re-made with fresh DKIM records to publish.',
    params: { id },
    response: DomainClaimObject,
    call: ({ env, caller, params }) => env.DOMAINS.verifyDomainClaim(caller, params.id),
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
    summary: "Change a domain's tracking, return path, TLS policy and capabilities",
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
