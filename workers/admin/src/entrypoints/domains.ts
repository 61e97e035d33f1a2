// DomainsService: sending domains and their SES identities.
import type { DomainsRpc } from '@mailgrid/contracts';
import { claimDomain, getDomainClaim, verifyDomainClaim } from '../domain-claims';
import { createDomain, deleteDomain, getDomain, listDomains, updateDomain, verifyDomain } from '../domains';
import { defineEntrypoint } from './define';

export class DomainsService
  extends defineEntrypoint({
    createDomain,
    listDomains,
    getDomain,
    updateDomain,
    verifyDomain,
    deleteDomain,
    claimDomain,
    getDomainClaim,
    verifyDomainClaim,
  })
  implements DomainsRpc {}
