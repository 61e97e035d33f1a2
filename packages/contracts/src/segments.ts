// Resend's Segments: named, static lists of a tenant's contacts (contacts join and leave them
// through /contacts/:id/segments/:segment_id).
import * as v from 'valibot';
import type { Caller } from './caller';
import type { AudienceListQuery, ContactList } from './contacts';
import type { RpcResult } from './rpc-result';
import { DeletedRef, ListOf } from './shapes';
import { NoControlChars } from './text';

const Name = v.pipe(
  v.string('name must be a string'),
  NoControlChars,
  v.trim(),
  v.minLength(1, 'name must not be empty'),
  v.maxLength(255, 'name must be at most 255 characters'),
);

export const CreateSegmentRequest = v.strictObject({ name: Name });
export type CreateSegmentRequest = v.InferOutput<typeof CreateSegmentRequest>;

export const UpdateSegmentRequest = v.strictObject({ name: Name });
export type UpdateSegmentRequest = v.InferOutput<typeof UpdateSegmentRequest>;

export const SegmentSummary = v.pipe(
  v.object({ id: v.string(), name: v.string(), created_at: v.string() }),
  v.title('SegmentSummary'),
  v.description('A segment as listed.'),
);
export type SegmentSummary = v.InferOutput<typeof SegmentSummary>;

export const SegmentObject = v.pipe(
  v.object({ object: v.literal('segment'), ...SegmentSummary.entries }),
  v.title('SegmentObject'),
  v.description("A segment: a named, static list of the tenant's contacts."),
);
export type SegmentObject = v.InferOutput<typeof SegmentObject>;

export const SegmentList = v.pipe(
  ListOf(SegmentSummary),
  v.title('SegmentList'),
  v.description('A page of segments.'),
);
export type SegmentList = v.InferOutput<typeof SegmentList>;

export const CreateSegmentResponse = v.pipe(
  v.object({ object: v.literal('segment'), id: v.string(), name: v.string() }),
  v.title('CreateSegmentResponse'),
  v.description('The new segment.'),
);
export type CreateSegmentResponse = v.InferOutput<typeof CreateSegmentResponse>;

export const DeletedSegment = DeletedRef('segment');
export type DeletedSegment = v.InferOutput<typeof DeletedSegment>;

// Resend's audiences, the name segments had before Resend renamed them: the same objects, with
// `object: 'audience'` as the old API answered. Served by the segment RPCs.
export const AudienceObject = v.pipe(
  v.object({ object: v.literal('audience'), ...SegmentSummary.entries }),
  v.title('AudienceObject'),
  v.description('A segment under its former name.'),
);
export type AudienceObject = v.InferOutput<typeof AudienceObject>;

export const CreateAudienceResponse = v.pipe(
  v.object({ object: v.literal('audience'), id: v.string(), name: v.string() }),
  v.title('CreateAudienceResponse'),
  v.description('The new audience (a segment).'),
);
export type CreateAudienceResponse = v.InferOutput<typeof CreateAudienceResponse>;

export const DeletedAudience = DeletedRef('audience');
export type DeletedAudience = v.InferOutput<typeof DeletedAudience>;

/** Segments over RPC; another tenant's segment is not_found. */
export interface SegmentsAdminRpc {
  createSegment(caller: Caller, input: CreateSegmentRequest): Promise<RpcResult<CreateSegmentResponse>>;
  listSegments(caller: Caller, query: AudienceListQuery): Promise<RpcResult<SegmentList>>;
  getSegment(caller: Caller, id: string): Promise<RpcResult<SegmentObject>>;
  updateSegment(
    caller: Caller,
    id: string,
    input: UpdateSegmentRequest,
  ): Promise<RpcResult<{ object: 'segment'; id: string }>>;
  /** The contacts stay; only their membership goes. */
  deleteSegment(caller: Caller, id: string): Promise<RpcResult<DeletedSegment>>;
  /** The segment's contacts, newest first. */
  listSegmentContacts(caller: Caller, id: string, query: AudienceListQuery): Promise<RpcResult<ContactList>>;
}
