// MessagingService: templates, broadcasts, suppressions, webhooks, streams and files.
import type { MessagingRpc } from '@mailgrid/contracts';
import {
  createBroadcast,
  deleteBroadcast,
  duplicateBroadcast,
  getBroadcast,
  listBroadcastClickedLinks,
  listBroadcastRecipients,
  listBroadcasts,
  updateBroadcast,
} from '../broadcasts';
import { deleteFile, getFile, listFiles, uploadFile } from '../files';
import { createStream, deleteStream, getStream, listStreams, updateStream } from '../streams';
import {
  addSuppression,
  batchAddSuppressions,
  batchRemoveSuppressions,
  getSuppression,
  listSuppressions,
  removeSuppression,
} from '../suppressions';
import {
  createTemplate,
  deleteTemplate,
  duplicateTemplate,
  getTemplate,
  listTemplates,
  publishTemplate,
  updateTemplate,
} from '../templates';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  getWebhookEvent,
  listWebhookEventAttempts,
  listWebhookEvents,
  listWebhooks,
  replayWebhookEvent,
  rotateWebhookSecret,
  updateWebhook,
} from '../webhooks';
import { defineEntrypoint } from './define';

export class MessagingService
  extends defineEntrypoint({
    createTemplate,
    getTemplate,
    listTemplates,
    updateTemplate,
    publishTemplate,
    duplicateTemplate,
    deleteTemplate,
    createBroadcast,
    listBroadcasts,
    getBroadcast,
    updateBroadcast,
    deleteBroadcast,
    duplicateBroadcast,
    listBroadcastRecipients,
    listBroadcastClickedLinks,
    listSuppressions,
    getSuppression,
    addSuppression,
    removeSuppression,
    batchAddSuppressions,
    batchRemoveSuppressions,
    createWebhook,
    listWebhooks,
    getWebhook,
    updateWebhook,
    deleteWebhook,
    rotateWebhookSecret,
    listWebhookEvents,
    getWebhookEvent,
    listWebhookEventAttempts,
    replayWebhookEvent,
    createStream,
    listStreams,
    getStream,
    updateStream,
    deleteStream,
    uploadFile,
    listFiles,
    getFile,
    deleteFile,
  })
  implements MessagingRpc {}
