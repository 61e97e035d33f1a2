// AudienceService: contacts, contact properties, segments, topics and CSV imports of contacts.
import type { AudienceRpc, RecoveryReport } from '@mailgrid/contracts';
import {
  addContactToSegment,
  createContact,
  deleteContact,
  getContact,
  listContactSegments,
  listContacts,
  listContactTopics,
  removeContactFromSegment,
  updateContact,
  updateContactTopics,
} from '../audience/contacts';
import {
  createContactProperty,
  deleteContactProperty,
  getContactProperty,
  listContactProperties,
  updateContactProperty,
} from '../audience/properties';
import {
  createSegment,
  deleteSegment,
  getSegment,
  listSegmentContacts,
  listSegments,
  updateSegment,
} from '../audience/segments';
import { createTopic, deleteTopic, getTopic, listTopics, updateTopic } from '../audience/topics';
import {
  createContactImport,
  getContactImport,
  listContactImportErrors,
  listContactImports,
  sweepStalledImports,
} from '../imports';
import { defineEntrypoint } from './define';

export class AudienceService
  extends defineEntrypoint({
    createContact,
    getContact,
    listContacts,
    updateContact,
    deleteContact,
    listContactSegments,
    addContactToSegment,
    removeContactFromSegment,
    listContactTopics,
    updateContactTopics,
    createContactProperty,
    listContactProperties,
    getContactProperty,
    updateContactProperty,
    deleteContactProperty,
    createSegment,
    listSegments,
    getSegment,
    updateSegment,
    deleteSegment,
    listSegmentContacts,
    createTopic,
    listTopics,
    getTopic,
    updateTopic,
    deleteTopic,
    createContactImport,
    getContactImport,
    listContactImports,
    listContactImportErrors,
  })
  implements AudienceRpc
{
  /**
   * RecoveryRpc: the same sweep as admin's own cron (index.ts), for a caller that runs recovery
   * centrally. Running both is harmless: each import is claimed before its chunks are queued again.
   */
  async recover(): Promise<RecoveryReport> {
    return { import_chunks: (await sweepStalledImports(this.env)).chunks };
  }
}
