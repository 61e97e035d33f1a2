import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Role = 'owner' | 'admin' | 'developer' | 'viewer';

export interface User {
  object: 'user';
  id: string;
  email: string;
  role: Role;
}

export const SessionContext = createContext<User | null>(null);

export function useUser(): User {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useUser outside a signed-in page');
  return user;
}

/** What the API lets each role do (the API refuses the rest; the buttons are only hidden). */
export function useCan() {
  const { role } = useUser();
  return {
    /** Any change at all: every role but viewer. */
    write: role !== 'viewer',
    /** Users and API keys: owners and admins. */
    manage: role === 'owner' || role === 'admin',
  };
}
