// PreferencesService: all the public tracking worker may reach — one contact's topic preferences, read
// and changed for the unsubscribe and preference pages. No Caller: the tenant comes from the signed
// token the tracking worker verified.
import type { PreferencesRpc } from '@mailgrid/contracts';
import { getPreferences, updatePreferences } from '../audience/preferences';
import { defineEntrypoint } from './define';

export class PreferencesService
  extends defineEntrypoint({ getPreferences, updatePreferences })
  implements PreferencesRpc {}
