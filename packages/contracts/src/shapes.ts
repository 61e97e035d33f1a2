// Small response shapes many operations share: "this object, by id" and Resend's list envelope.
import * as v from 'valibot';

/** `{ object, id }`: what Resend answers for most changes (update, cancel, reschedule). */
export const ObjectRef = <const TObject extends string>(object: TObject) =>
  v.object({ object: v.literal(object), id: v.string() });

/** `{ object, id, deleted: true }`: Resend's answer to a delete. */
export const DeletedRef = <const TObject extends string>(object: TObject) =>
  v.object({ object: v.literal(object), id: v.string(), deleted: v.literal(true) });

/** Resend's list envelope around any item schema. */
export const ListOf = <TItem extends v.GenericSchema>(item: TItem) =>
  v.object({ object: v.literal('list'), has_more: v.boolean(), data: v.array(item) });
