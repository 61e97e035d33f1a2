// Contacts, segments, topics and contact properties as the API returns them (packages/contracts).

export interface Contact {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  unsubscribed: boolean;
  created_at: string;
}
export interface ContactObject extends Contact {
  properties: Record<string, { type: string; value: string | number }>;
}
export interface Segment {
  id: string;
  name: string;
  created_at: string;
}
export interface Topic {
  id: string;
  name: string;
  description: string | null;
  default_subscription: 'opt_in' | 'opt_out';
  visibility: 'public' | 'private';
  created_at: string;
}
export interface ContactTopic {
  id: string;
  name: string;
  description: string | null;
  subscription: 'opt_in' | 'opt_out';
}
export interface ContactProperty {
  id: string;
  key: string;
  type: 'string' | 'number';
  fallback_value: string | number | null;
  created_at: string;
}
export interface ContactImport {
  id: string;
  status: 'queued' | 'processing' | 'completed' | 'failed';
  segment_id: string | null;
  total_rows: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  error: string | null;
  created_at: string;
  completed_at: string | null;
}
export interface ImportError {
  row: number;
  email: string | null;
  reason: string;
  message: string;
}
