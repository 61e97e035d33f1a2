// Resend's Segments: named, static lists of a tenant's contacts (contacts join and leave them
// through /contacts/:id/segments/:segment_id).
import * as v from 'valibot';
import type { Caller } from './caller';
import type { AudienceListQuery, ContactList } from './contacts';
import type { RpcResult } from './rpc-result';

const Name = v.pipe(
  v.string('name must be a string'),
  v.trim(),
  v.minLength(1, 'name must not be empty'),
  v.maxLength(255, 'name must be at most 255 characters'),
);

export const CreateSegmentRequest = v.strictObject({ name: Name });
export type CreateSegmentRequest = v.InferOutput<typeof CreateSegmentRequest>;

export const UpdateSegmentRequest = v.strictObject({ name: Name });
export type UpdateSegmentRequest = v.InferOutput<typeof UpdateSegmentRequest>;

export interface SegmentSummary {
  id: string;
  name: string;
  created_at: string;
}

export interface SegmentObject extends SegmentSummary {
  object: 'segment';
}

export interface SegmentList {
  object: 'list';
  has_more: boolean;
  data: SegmentSummary[];
}

export interface CreateSegmentResponse {
  object: 'segment';
  id: string;
  name: string;
}

export interface DeletedSegment {
  object: 'segment';
  id: string;
  deleted: true;
}

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
