// Team: the account's users and their roles; owners and admins invite, change roles and remove.
import { useState } from 'preact/hooks';
import { Action } from '../components/action';
import { DeleteButton } from '../components/delete-button';
import { Field, FormRow, Select } from '../components/forms';
import { ListView } from '../components/list-view';
import { Page } from '../components/page';
import { Badge } from '../components/states';
import { api } from '../lib/api';
import { formatDate } from '../lib/format';
import { type Role, useCan, useUser } from '../lib/session';
import { useList } from '../lib/use-list';

interface Member {
  id: string;
  email: string;
  role: Role;
  status: 'invited' | 'active';
  created_at: string;
  joined_at: string | null;
}

const ROLES: Role[] = ['owner', 'admin', 'developer', 'viewer'];

export function TeamPage() {
  const users = useList<Member>('/api/users');
  const can = useCan();
  const me = useUser();
  return (
    <Page title="Team">
      {can.manage && <Invite onInvited={users.reload} />}
      {/* No empty state: the team always has you. */}
      <ListView
        list={users}
        loading="Loading the team"
        columns={[
          {
            head: 'Email',
            cell: (u) => (
              <>
                {u.email}
                {u.id === me.id ? ' (you)' : ''}
              </>
            ),
          },
          {
            head: 'Role',
            cell: (u) =>
              can.manage && u.id !== me.id ? (
                <select
                  aria-label={`Role of ${u.email}`}
                  value={u.role}
                  onChange={(event) =>
                    api(`/api/users/${u.id}`, {
                      method: 'PATCH',
                      body: { role: event.currentTarget.value },
                    })
                      .catch((err: Error) => alert(err.message))
                      .finally(users.reload)
                  }
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              ) : (
                u.role
              ),
          },
          { head: 'Status', cell: (u) => <Badge value={u.status} /> },
          { head: 'Joined', cell: (u) => (u.joined_at ? formatDate(u.joined_at) : 'invitation pending') },
          can.manage && {
            cell: (u) =>
              u.id !== me.id && (
                <DeleteButton
                  path={`/api/users/${u.id}`}
                  confirm={`Remove ${u.email} from this account?`}
                  then={users.reload}
                >
                  Remove
                </DeleteButton>
              ),
          },
        ]}
      />
    </Page>
  );
}

function Invite({ onInvited }: { onInvited: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('developer');
  return (
    <FormRow>
      <Field label="Invite by email" class="grow" type="email" value={email} onValue={setEmail} />
      <Select label="Role" value={role} onValue={(value) => setRole(value as Role)} options={ROLES} />
      <Action
        kind="primary"
        run={() =>
          api('/api/users/invitations', { method: 'POST', body: { email, role } }).then(() => {
            setEmail('');
            onInvited();
          })
        }
      >
        Send invitation
      </Action>
    </FormRow>
  );
}
