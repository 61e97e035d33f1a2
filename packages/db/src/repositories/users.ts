// A tenant's users and their invitations. Every read and write is scoped by tenant; the lookups that
// find the tenant (by identity subject at sign-in, by invitation token hash at accept) are in
// cross-tenant.ts.
import type { Caller, UserRole } from '@mailgrid/contracts';
import type { Compilable } from 'kysely';
import { runBatch } from '../batch';
import { type Db, nowIso } from '../client';
import type { InvitationRow, UserRow } from '../schema';
import { auditEntry } from './audit-log';

export async function listUsers(db: Db, tenantId: string): Promise<UserRow[]> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
}

export async function findUser(db: Db, tenantId: string, id: string): Promise<UserRow | null> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ?? null;
}

export async function findUserByEmail(db: Db, tenantId: string, email: string): Promise<UserRow | null> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('email', '=', email)
    .executeTakeFirst();
  return row ?? null;
}

export async function countOwners(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('owners'))
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.owners);
}

/** Identity subjects of the tenant's users: the gateway's cache entries to drop when the tenant changes. */
export async function userSubjects(db: Db, tenantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('auth_subject')
    .where('tenant_id', '=', tenantId)
    .where('auth_subject', 'is not', null)
    .execute();
  return rows.flatMap((row) => (row.auth_subject ? [row.auth_subject] : []));
}

export interface NewInvitation {
  /** The invited user: a new row, or an existing one not yet joined (its role is updated). */
  user: { id: string; email: string; role: UserRole; exists: boolean };
  invitationId: string;
  tokenHash: string;
  expiresAt: string;
}

/**
 * The writes of an invitation, not yet run: the user row (new, or its role updated), earlier
 * invitations of that user withdrawn (only the newest token works), the new invitation.
 */
export function invitationWrites(db: Db, tenantId: string, invitation: NewInvitation): Compilable[] {
  const now = nowIso();
  const { user } = invitation;
  return [
    user.exists
      ? db
          .updateTable('users')
          .set({ role: user.role, updated_at: now })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', user.id)
      : db.insertInto('users').values({
          id: user.id,
          tenant_id: tenantId,
          email: user.email,
          role: user.role,
          auth_subject: null,
          created_at: now,
          updated_at: now,
          joined_at: null,
        }),
    db.deleteFrom('invitations').where('tenant_id', '=', tenantId).where('user_id', '=', user.id),
    db.insertInto('invitations').values({
      id: invitation.invitationId,
      tenant_id: tenantId,
      user_id: user.id,
      token_hash: invitation.tokenHash,
      expires_at: invitation.expiresAt,
      accepted_at: null,
      created_at: now,
    }),
  ];
}

export async function inviteUserRows(
  db: Db,
  d1: D1Database,
  caller: Caller,
  invitation: NewInvitation,
): Promise<void> {
  await runBatch(d1, [
    ...invitationWrites(db, caller.tenant_id, invitation),
    auditEntry(db, caller, {
      action: 'user.invited',
      target_type: 'user',
      target_id: invitation.user.id,
      summary: {
        email: invitation.user.email,
        role: invitation.user.role,
        invitation_id: invitation.invitationId,
      },
    }),
  ]);
}

export async function setUserRole(
  db: Db,
  d1: D1Database,
  caller: Caller,
  user: UserRow,
  role: UserRole,
): Promise<void> {
  await runBatch(d1, [
    db
      .updateTable('users')
      .set({ role, updated_at: nowIso() })
      .where('tenant_id', '=', caller.tenant_id)
      .where('id', '=', user.id),
    auditEntry(db, caller, {
      action: 'user.updated',
      target_type: 'user',
      target_id: user.id,
      summary: { email: user.email, role: { from: user.role, to: role } },
    }),
  ]);
}

export async function deleteUserRow(db: Db, d1: D1Database, caller: Caller, user: UserRow): Promise<void> {
  await runBatch(d1, [
    db.deleteFrom('invitations').where('tenant_id', '=', caller.tenant_id).where('user_id', '=', user.id),
    db.deleteFrom('users').where('tenant_id', '=', caller.tenant_id).where('id', '=', user.id),
    auditEntry(db, caller, {
      action: 'user.removed',
      target_type: 'user',
      target_id: user.id,
      summary: { email: user.email, role: user.role },
    }),
  ]);
}

/**
 * Spends the invitation, then binds the subject to its user. Spending is a conditional update, so of
 * two accepts of one token only one gets past it. Returns false when the invitation was already spent.
 */
export async function bindInvitation(
  db: Db,
  d1: D1Database,
  tenantId: string,
  invitation: InvitationRow,
  subject: string,
  requestId: string,
): Promise<boolean> {
  const now = nowIso();
  const spent = await db
    .updateTable('invitations')
    .set({ accepted_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', invitation.id)
    .where('accepted_at', 'is', null)
    .executeTakeFirst();
  if (Number(spent.numUpdatedRows) !== 1) return false;
  const caller: Caller = {
    tenant_id: tenantId,
    key_id: '',
    key_prefix: '',
    permission: 'full_access',
    domain_id: null,
    request_id: requestId,
    user_id: invitation.user_id,
  };
  try {
    await runBatch(d1, [
      db
        .updateTable('users')
        .set({ auth_subject: subject, joined_at: now, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', invitation.user_id),
      auditEntry(db, caller, {
        action: 'user.joined',
        target_type: 'user',
        target_id: invitation.user_id,
        summary: { invitation_id: invitation.id },
      }),
    ]);
  } catch (err) {
    // The subject was bound to another user meanwhile (UNIQUE): give the invitation back.
    await db
      .updateTable('invitations')
      .set({ accepted_at: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', invitation.id)
      .execute();
    throw err;
  }
  return true;
}
