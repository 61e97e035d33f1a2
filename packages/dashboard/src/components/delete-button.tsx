import type { ComponentChildren } from 'preact';
import { api } from '../lib/api';
import { Action } from './action';

/** DELETEs `path` once the user confirms, then `then` (reload the list, or leave the deleted thing's page). */
export function DeleteButton({
  path,
  confirm,
  then,
  quiet,
  children = 'Delete',
}: {
  path: string;
  confirm?: string;
  then: () => void;
  /** Not drawn as dangerous: undoing a block, leaving a segment. */
  quiet?: boolean;
  children?: ComponentChildren;
}) {
  return (
    <Action
      kind={quiet ? undefined : 'danger'}
      confirm={confirm}
      run={() => api(path, { method: 'DELETE' }).then(then)}
    >
      {children}
    </Action>
  );
}
