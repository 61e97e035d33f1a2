// Contact properties: the typed custom fields contacts may carry, and the check every contact write
// goes through (each key declared, each value of its declared type).
import {
  AppError,
  type AudienceListQuery,
  type Caller,
  CONTACT_LIMITS,
  type ContactPropertyList,
  type ContactPropertyObject,
  type ContactPropertyResponse,
  type ContactPropertySummary,
  type ContactPropertyType,
  type CreateContactPropertyRequest,
  type DeletedContactProperty,
  type UpdateContactPropertyRequest,
  unknownCursor,
} from '@mailgrid/contracts';
import {
  type ContactPropertyRow,
  createDb,
  deleteContactProperty as deleteContactPropertyRow,
  findContactProperty,
  insertContactProperty,
  isPropertyKeyTaken,
  listContactProperties as listContactPropertyRows,
  updateContactPropertyFallback,
} from '@mailgrid/db';
import type { Env } from '../env';

export async function createContactProperty(
  env: Env,
  caller: Caller,
  input: CreateContactPropertyRequest,
): Promise<ContactPropertyResponse> {
  const fallback = fallbackJson(input.type, input.fallback_value);
  try {
    const id = await insertContactProperty(createDb(env.DB), env.DB, caller, {
      key: input.key,
      type: input.type,
      fallback_value: fallback,
    });
    return { object: 'contact_property', id };
  } catch (err) {
    if (isPropertyKeyTaken(err)) {
      throw new AppError('conflict', `A contact property with the key ${input.key} already exists.`);
    }
    throw err;
  }
}

export async function getContactProperty(
  env: Env,
  caller: Caller,
  id: string,
): Promise<ContactPropertyObject> {
  return { object: 'contact_property', ...toSummary(await existing(env, caller, id)) };
}

export async function listContactProperties(
  env: Env,
  caller: Caller,
  query: AudienceListQuery,
): Promise<ContactPropertyList> {
  const page = await listContactPropertyRows(createDb(env.DB), caller.tenant_id, query);
  if (!page) throw unknownCursor(query, 'contact property');
  return { object: 'list', has_more: page.has_more, data: page.rows.map(toSummary) };
}

export async function updateContactProperty(
  env: Env,
  caller: Caller,
  id: string,
  input: UpdateContactPropertyRequest,
): Promise<ContactPropertyResponse> {
  const row = await existing(env, caller, id);
  if (input.fallback_value === undefined) return { object: 'contact_property', id: row.id };
  const fallback = fallbackJson(row.type, input.fallback_value);
  await updateContactPropertyFallback(createDb(env.DB), env.DB, caller, row, fallback);
  return { object: 'contact_property', id: row.id };
}

export async function deleteContactProperty(
  env: Env,
  caller: Caller,
  id: string,
): Promise<DeletedContactProperty> {
  const row = await existing(env, caller, id);
  await deleteContactPropertyRow(createDb(env.DB), env.DB, caller, row);
  return { object: 'contact_property', id: row.id, deleted: true };
}

/**
 * Checks a contact's property values against the tenant's declarations and returns them typed.
 * `null` removes a value on update (kept as null for the merge patch) and means "not given" on create.
 */
export function checkPropertyValues(
  values: Record<string, unknown>,
  declared: Map<string, ContactPropertyRow>,
  nulls: 'remove' | 'skip',
): Record<string, string | number | null> {
  const checked: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(values)) {
    const property = declared.get(key);
    if (!property) {
      throw new AppError(
        'invalid_parameter',
        `properties.${key}: there is no contact property ${JSON.stringify(key)}; create it first (POST /contact-properties).`,
      );
    }
    if (value === null) {
      if (nulls === 'remove') checked[key] = null;
      continue;
    }
    checked[key] = typedValue(`properties.${key}`, property.type, value);
  }
  return checked;
}

function typedValue(field: string, type: ContactPropertyType, value: unknown): string | number {
  if (type === 'string') {
    if (typeof value !== 'string')
      throw new AppError('invalid_parameter', `${field}: must be a string (the property's type).`);
    if (value.length > CONTACT_LIMITS.property_value) {
      throw new AppError(
        'invalid_parameter',
        `${field}: must be at most ${CONTACT_LIMITS.property_value} characters.`,
      );
    }
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AppError('invalid_parameter', `${field}: must be a number (the property's type).`);
  }
  return value;
}

function fallbackJson(type: ContactPropertyType, value: string | number | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(typedValue('fallback_value', type, value));
}

async function existing(env: Env, caller: Caller, id: string): Promise<ContactPropertyRow> {
  const row = await findContactProperty(createDb(env.DB), caller.tenant_id, id);
  if (!row) throw new AppError('not_found', `Contact property ${id} not found.`);
  return row;
}

function toSummary(row: ContactPropertyRow): ContactPropertySummary {
  return {
    id: row.id,
    key: row.key,
    type: row.type,
    fallback_value: row.fallback_value === null ? null : (JSON.parse(row.fallback_value) as string | number),
    created_at: row.created_at,
  };
}
