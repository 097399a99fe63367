// Team-scoped reads of teams and users, as the GraphQL layer loads them (the queries live in the read
// model, src/db/queries).
export { teamsById as loadTeams, usersById as loadUsers } from '../db/queries/reads.js';
export { type TeamRow, type UserRow, uuidsOnly } from '../db/queries/rows.js';
