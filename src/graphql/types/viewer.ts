// Who is calling: the viewer with their user and team, and the Role enum.
import { loadTeams, loadUsers, type TeamRow, type UserRow } from '../../app/identity.js';
import type { Viewer } from '../../app/tokens.js';
import { viewerOf } from '../../context.js';
import { ROLES } from '../../domain/types.js';
import { builder } from '../builder.js';
import { vocabularyEnum } from '../vocabulary.js';

export const RoleEnum = vocabularyEnum('Role', {
  description: 'What a user may do in their team.',
  values: ROLES,
  describe: {
    ADMIN: 'Manages the integration, team settings and members.',
    MEMBER: 'Runs campaigns; reads team settings.',
  },
});

/** What the Team and User types read: the viewer's own team and user come from the token lookup. */
type TeamView = Pick<TeamRow, 'id' | 'name'>;
type UserView = Pick<UserRow, 'id' | 'email' | 'role'>;

export const TeamRef = builder.loadableNode('Team', {
  description: 'A customer team: every object in this API belongs to exactly one team.',
  id: { resolve: (team: TeamView) => team.id },
  sort: (team) => team.id,
  load: (ids: string[], ctx) =>
    ctx.viewer ? loadTeams(ctx.db, ctx.viewer.teamId, ids) : Promise.resolve([]),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The team name shown in the app.' }),
  }),
});

export const UserRef = builder.loadableNode('User', {
  description: 'A person in a team who can sign in.',
  id: { resolve: (user: UserView) => user.id },
  sort: (user) => user.id,
  load: (ids: string[], ctx) =>
    ctx.viewer ? loadUsers(ctx.db, ctx.viewer.teamId, ids) : Promise.resolve([]),
  fields: (t) => ({
    email: t.exposeString('email', { description: 'Sign-in email, lower-cased.' }),
    role: t.field({ type: RoleEnum, description: 'The user’s role in the team.', resolve: (u) => u.role }),
  }),
});

// The token lookup (app/tokens.ts) already joined the user and the team: the viewer's own user and
// team are answered from it, without a database read. Neither row is ever updated through the API,
// and a revoked token (or a deleted user, whose tokens go with it) is dropped from the viewer cache.
const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The authenticated caller: the user the API token belongs to, and their team.',
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      description: 'The signed-in user.',
      resolve: (v): UserView => ({ id: v.userId, email: v.email, role: v.role }),
    }),
    team: t.field({
      type: TeamRef,
      description: 'The signed-in user’s team.',
      resolve: (v): TeamView => ({ id: v.teamId, name: v.teamName }),
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    description: 'The caller, as identified by the bearer token. Any authenticated user.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => viewerOf(ctx),
  }),
);
