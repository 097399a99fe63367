// The API benchmark's references, each its own process: `bare` is Apollo Server 5 + Express 5 with an
// empty-ish schema (for `{ __typename }`), `dashboard` serves the dashboard shape from memory. Both
// stock (default plugins), built from the installed packages. Run: reference-server.ts <kind> <port>
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { REFERENCE_TYPE_DEFS, referenceData, referenceResolvers } from './dashboard.js';
import { notify, serveIpc } from './ipc.js';

const kind = process.env.REFERENCE_KIND;
const port = Number(process.env.PORT ?? 0);

const apollo =
  kind === 'bare'
    ? new ApolloServer({ typeDefs: 'type Query { hello: String }', resolvers: {} })
    : new ApolloServer({ typeDefs: REFERENCE_TYPE_DEFS, resolvers: referenceResolvers(referenceData()) });
await apollo.start();
const app = express();
app.use('/graphql', express.json({ limit: '2mb' }), expressMiddleware(apollo));
const server = app.listen(port, '127.0.0.1', () => notify('ready', { url: `http://127.0.0.1:${port}` }));

serveIpc({
  stats: () => ({ rss: process.memoryUsage().rss }),
  stop() {
    setImmediate(async () => {
      server.close();
      await apollo.stop();
      process.exit(0);
    });
    return true;
  },
});
