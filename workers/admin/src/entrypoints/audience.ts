// AudienceService: contacts, contact properties, segments, topics and CSV imports of contacts.
import type { AudienceRpc } from '@mailgrid/contracts';
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
  implements AudienceRpc {}
