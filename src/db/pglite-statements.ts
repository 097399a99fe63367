// Prepared statements for PGlite. Its `query` parses and plans every statement afresh (an unnamed
// Parse each time), and in WebAssembly that is most of a short statement's cost: the sync engine's
// context read takes 2.0 ms, of which 1.4 ms is parse and plan. On PostgreSQL, postgres.js names
// statements and parses each once per connection; this does the same for PGlite: a statement's text
// is parsed once under a name, and every later run of the same text only binds and executes it.
// Built on PGlite's public protocol API (execProtocolStream, the `protocol` serializers, `parse`),
// run under the same locks and with the same steps as PGlite's own `query` (pinned 0.5.17).
import {
  type PGlite,
  parse,
  protocol,
  type QueryOptions,
  type Results,
  type Transaction,
} from '@electric-sql/pglite';
import { LRUCache } from 'lru-cache';

/**
 * Prepared statements kept per database; the least recently used one is closed beyond this. Each
 * holds its plan in PGlite's heap (about 75 KB for a three-table join): at most about 10 MB. The
 * engine and the API run a few dozen texts.
 */
const MAX_STATEMENTS = 128;
/** Longer texts (multi-row inserts, whose text changes with the row count) run unnamed, as before. */
const MAX_TEXT_LENGTH = 16_384;

interface Statement {
  readonly name: string;
  /** The parameters' type OIDs, as PGlite's serializers need them. */
  readonly paramTypes: readonly number[];
}

type Messages = Awaited<ReturnType<PGlite['execProtocolStream']>>;
type Query = <T>(text: string, params?: unknown[], options?: QueryOptions) => Promise<Results<T>>;

/** Makes `client.query` and its transactions' `query` run through prepared statements (see above). */
export function usePreparedStatements(client: PGlite): void {
  const statements = new PreparedStatements(client);
  const query: Query = client.query.bind(client);
  client.query = async <T>(text: string, params?: unknown[], options?: QueryOptions) => {
    if (!preparable(text, params, options)) return query<T>(text, params, options);
    await client._checkReady();
    const run = () =>
      client._runExclusiveTransaction(() => statements.run<T>(text, params ?? [], options, true));
    try {
      return await run();
    } catch (error) {
      // Outside a transaction a statement whose plan went stale (see run) is simply run again.
      if (isStalePlan(error)) return run();
      throw error;
    }
  };
  const transaction = client.transaction.bind(client);
  client.transaction = <T>(callback: (tx: Transaction) => Promise<T>) =>
    transaction((tx) => {
      const txQuery: Query = tx.query.bind(tx);
      tx.query = async <R>(text: string, params?: unknown[], options?: QueryOptions) => {
        if (!preparable(text, params, options) || tx.closed) return txQuery<R>(text, params, options);
        // No syncToFs inside a transaction, as with PGlite's own queries there.
        return statements.run<R>(text, params ?? [], options, false);
      };
      return callback(tx);
    });
}

/** "cached plan must not change result type": a table under the statement changed its columns. */
const isStalePlan = (error: unknown) => (error as { code?: string } | null)?.code === '0A000';

/**
 * Statements with parameters (the repeated ones; schema changes and one-off commands have none), of
 * bounded text, and without options that PGlite's Parse or blob handling would treat differently.
 */
const preparable = (text: string, params: unknown[] | undefined, options: QueryOptions | undefined) =>
  (params?.length ?? 0) > 0 &&
  text.length <= MAX_TEXT_LENGTH &&
  options?.paramTypes === undefined &&
  options?.blob === undefined;

class PreparedStatements {
  private readonly byText: LRUCache<string, Statement>;
  /** Evicted statements, closed in the run that evicted them (or the next), under the query lock. */
  private readonly toClose: string[] = [];
  private sequence = 0;

  constructor(private readonly client: PGlite) {
    this.byText = new LRUCache<string, Statement>({
      max: MAX_STATEMENTS,
      dispose: (statement) => this.toClose.push(statement.name),
    });
  }

  /** One run of `text`: parsed under a name the first time, then bound and executed. */
  run<T>(text: string, params: readonly unknown[], options: QueryOptions | undefined, sync: boolean) {
    const client = this.client;
    return client._runExclusiveQuery(async () => {
      const exec = (message: Uint8Array) =>
        client.execProtocolStream(message, {
          syncToFs: false,
          ...(options?.onNotice ? { onNotice: options.onNotice } : {}),
        });
      const messages: Messages = [];
      try {
        const statement = this.byText.get(text) ?? (await this.prepare(text, exec));
        for (const name of this.toClose.splice(0)) await exec(protocol.serialize.close({ type: 'S', name }));
        const values = params.map((value, i) => serialized(client, value, statement.paramTypes[i], options));
        messages.push(
          ...(await exec(protocol.serialize.bind({ statement: statement.name, values }))),
          ...(await exec(protocol.serialize.describe({ type: 'P' }))),
          ...(await exec(protocol.serialize.execute({}))),
        );
      } catch (error) {
        // A statement whose plan no longer fits (the schema changed under it) is parsed afresh next time.
        if (isStalePlan(error)) this.byText.delete(text);
        throw Object.assign(error as object, { query: text, params, queryOptions: options });
      } finally {
        messages.push(...(await exec(protocol.serialize.sync())));
      }
      if (sync) await client.syncToFs();
      return parse.parseResults(messages, client.parsers, options)[0] as Results<T>;
    });
  }

  private async prepare(text: string, exec: (message: Uint8Array) => Promise<Messages>): Promise<Statement> {
    const name = `bff_s${++this.sequence}`;
    await exec(protocol.serialize.parse({ name, text }));
    const described = await exec(protocol.serialize.describe({ type: 'S', name }));
    const statement = { name, paramTypes: parse.parseDescribeStatementResults(described) };
    this.byText.set(text, statement);
    return statement;
  }
}

/** A parameter as PGlite's `query` sends it: by its type's serializer, else as text; null stays null. */
function serialized(
  client: PGlite,
  value: unknown,
  type: number | undefined,
  options: QueryOptions | undefined,
) {
  if (value === null || value === undefined) return null;
  const serializer =
    type === undefined ? undefined : (options?.serializers?.[type] ?? client.serializers[type]);
  return serializer ? serializer(value) : String(value);
}
