// Team: the account's users and their roles; owners and admins invite, change roles and remove.
import { useState } from 'preact/hooks';
import { Action } from '../components/action';
import { Page } from '../components/page';
import { Badge, ErrorBox, Loading } from '../components/states';
import { api, type List } from '../lib/api';
import { formatDate } from '../lib/format';
import { type Role, useCan, useUser } from '../lib/session';
import { useApi } from '../lib/use-api';

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
  const users = useApi<List<Member>>('/api/users');
  const can = useCan();
  const me = useUser();
  return (
    <Page title="Team">
      {can.manage && <Invite onInvited={users.reload} />}
      {users.error ? (
        <ErrorBox error={users.error} retry={users.reload} />
      ) : !users.data ? (
        <Loading what="Loading the team" />
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Email</th>
                <th>Role</th>
                <th>Status</th>
                <th>Joined</th>
                {can.manage && <th />}
              </tr>
            </thead>
            <tbody>
              {users.data.data.map((u) => (
                <tr key={u.id}>
                  <td>
                    {u.email}
                    {u.id === me.id ? ' (you)' : ''}
                  </td>
                  <td>
                    {can.manage && u.id !== me.id ? (
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
                    )}
                  </td>
                  <td>
                    <Badge value={u.status} />
                  </td>
                  <td>{u.joined_at ? formatDate(u.joined_at) : 'invitation pending'}</td>
                  {can.manage && (
                    <td>
                      {u.id !== me.id && (
                        <Action
                          kind="danger"
                          confirm={`Remove ${u.email} from this account?`}
                          run={() => api(`/api/users/${u.id}`, { method: 'DELETE' }).then(users.reload)}
                        >
                          Remove
                        </Action>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

function Invite({ onInvited }: { onInvited: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('developer');
  return (
    <form class="filters" onSubmit={(event) => event.preventDefault()}>
      <label class="grow">
        Invite by email
        <input type="email" value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
      </label>
      <label>
        Role
        <select value={role} onChange={(event) => setRole(event.currentTarget.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
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
    </form>
  );
}
