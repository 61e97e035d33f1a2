// What a broadcast's content must be before it is stored: an audience that is the tenant's segment,
// a topic of the tenant, html or text, and merge tags that name what a contact has (its built-in
// fields, or a property the tenant declared). Send checks the rest (the from domain) when it sends.
import { AppError, type Caller } from '@mailgrid/contracts';
import {
  type BroadcastFields,
  contactPropertiesByKey,
  type Db,
  findSegment,
  findTopic,
  streamExists,
} from '@mailgrid/db';
import { mergeTags, TemplateError } from '@mailgrid/templates';

/** Merge tag keys every contact has, and the recipient's own unsubscribe link. */
const BUILT_IN_KEYS = new Set(['first_name', 'last_name', 'email', 'unsubscribe_url']);

/** The audience of a create or an update: segment_id, or audience_id (its deprecated name). */
export function audienceOf(input: {
  segment_id?: string | null;
  audience_id?: string | null;
}): string | undefined {
  const { segment_id: segment, audience_id: audience } = input;
  if (segment != null && audience != null && segment !== audience) {
    throw new AppError(
      'invalid_parameter',
      'segment_id and audience_id name different segments; give segment_id only (audience_id is its deprecated name).',
    );
  }
  return segment ?? audience ?? undefined;
}

export function replyToJson(replyTo: string | string[] | null | undefined): string {
  return JSON.stringify(typeof replyTo === 'string' ? [replyTo] : (replyTo ?? []));
}

/** Throws the 422 that names what is wrong with the content (the first problem found). */
export async function checkContent(db: Db, caller: Caller, fields: BroadcastFields): Promise<void> {
  if (!fields.html && !fields.text) {
    throw new AppError(
      'missing_required_field',
      'Give html or text (or both): the broadcast has no content.',
    );
  }
  const keys = new Set<string>();
  for (const field of ['subject', 'html', 'text'] as const) {
    const template = fields[field];
    if (!template) continue;
    try {
      for (const tag of mergeTags(template, field)) if (!BUILT_IN_KEYS.has(tag.key)) keys.add(tag.key);
    } catch (err) {
      if (err instanceof TemplateError) throw new AppError('invalid_parameter', err.message);
      throw err;
    }
  }
  if (keys.size > 0) {
    const declared = await contactPropertiesByKey(db, caller.tenant_id);
    const unknown = [...keys].find((key) => !declared.has(key));
    if (unknown !== undefined) {
      throw new AppError(
        'invalid_parameter',
        `The merge tag {{{contact.${unknown}}}} names no contact property; declare "${unknown}" with POST /api/contact-properties or remove the tag.`,
      );
    }
  }
  if (!(await findSegment(db, caller.tenant_id, fields.segment_id))) {
    throw new AppError('invalid_parameter', `segment_id: there is no segment ${fields.segment_id}.`);
  }
  if (fields.topic_id !== null && !(await findTopic(db, caller.tenant_id, fields.topic_id))) {
    throw new AppError('invalid_parameter', `topic_id: there is no topic ${fields.topic_id}.`);
  }
  if (!(await streamExists(db, caller.tenant_id, fields.stream))) {
    throw new AppError(
      'invalid_parameter',
      `stream: there is no stream "${fields.stream}". Use broadcast, or one made with POST /api/streams.`,
    );
  }
}
