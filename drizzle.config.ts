// drizzle-kit reads this to generate SQL migrations into drizzle/ from the schema files of src/db.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/db/schema.ts', './src/db/audit-schema.ts'],
  out: './drizzle',
  casing: 'snake_case',
});
