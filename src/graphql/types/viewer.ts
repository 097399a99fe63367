// Who is calling: the viewer with their user and team, and the Role enum.
import { loadTeams, loadUsers, type TeamRow, type UserRow } from '../../app/identity.js';
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

export const TeamRef = builder.loadableNode('Team', {
  description: 'A customer team: every object in this API belongs to exactly one team.',
  id: { resolve: (team: TeamRow) => team.id },
  sort: (team) => team.id,
  load: (ids: string[], ctx) =>
    ctx.viewer ? loadTeams(ctx.db, ctx.viewer.teamId, ids) : Promise.resolve([]),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The team name shown in the app.' }),
  }),
});

export const UserRef = builder.loadableNode('User', {
  description: 'A person in a team who can sign in.',
  id: { resolve: (user: UserRow) => user.id },
  sort: (user) => user.id,
  load: (ids: string[], ctx) =>
    ctx.viewer ? loadUsers(ctx.db, ctx.viewer.teamId, ids) : Promise.resolve([]),
  fields: (t) => ({
    email: t.exposeString('email', { description: 'Sign-in email, lower-cased.' }),
    role: t.field({ type: RoleEnum, description: 'The user’s role in the team.', resolve: (u) => u.role }),
  }),
});

const ViewerRef = builder.objectRef<{ userId: string; teamId: string }>('Viewer').implement({
  description: 'The authenticated caller: the user the API token belongs to, and their team.',
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      description: 'The signed-in user.',
      resolve: (v) => v.userId,
    }),
    team: t.field({
      type: TeamRef,
      description: 'The signed-in user’s team.',
      resolve: (v) => v.teamId,
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    description: 'The caller, as identified by the bearer token. Any authenticated user.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => {
      const viewer = viewerOf(ctx);
      return { userId: viewer.userId, teamId: viewer.teamId };
    },
  }),
);
