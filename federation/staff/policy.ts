/**
 * Who may do what, decided from the server's own records (never from anything a client sends).
 * Pure, so the route table test and the handlers apply the same rules.
 *
 * - A teacher acts on their classes (the campaigns they created or were given), on a node or a hub.
 * - A librarian acts on everything on a node; on a hub they are signed in but have no authority.
 * - A steward acts on everything on a hub; on a node likewise no authority (a hub's steward
 *   manages a node through federation, not by signing in to it).
 */
import type { Role, StaffRole, StaffUser } from '../protocol/index.ts';

export const ALL_STAFF: readonly StaffRole[] = ['teacher', 'librarian', 'steward'];
/** The roles that run a whole server: user management and the audit log are theirs. */
export const OPERATORS: readonly StaffRole[] = ['librarian', 'steward'];

/** Whether the role has any authority on a server of this role. */
export function hasAuthority(role: StaffRole, server: Role): boolean {
  if (role === 'teacher') return true;
  return role === (server === 'hub' ? 'steward' : 'librarian');
}

export interface Need {
  roles: readonly StaffRole[];
  /** The campaign acted on, when the action is about one. */
  campaign?: string | undefined;
}

export function allowed(user: Pick<StaffUser, 'role' | 'campaigns' | 'state'>, server: Role, need: Need): boolean {
  if (user.state !== 'active') return false;
  if (!need.roles.includes(user.role) || !hasAuthority(user.role, server)) return false;
  if (need.campaign !== undefined && user.role === 'teacher') return user.campaigns.includes(need.campaign);
  return true;
}

/** The roles a staff member may give new accounts on this server: their own and teachers. */
export function mayCreate(creator: StaffRole, server: Role, role: StaffRole): boolean {
  if (!hasAuthority(creator, server) || creator === 'teacher') return false;
  return role === 'teacher' || role === creator;
}
