// The import rules of ARCHITECTURE.md, enforced: every import in src/ (static, export-from and
// dynamic) is read with the TypeScript compiler API, mapped to the part it belongs to (a folder of src/
// or a root module), and checked against the allowed arrows; no cycle between parts; the worker's
// import closure holds no API layer. A sibling block keeps functions ≤ 90 and files ≤ 400 lines.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = sourceFiles();
const parsed = new Map(
  files.map((file) => [
    file,
    ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true),
  ]),
);

/** Relative specifiers of every import, export-from and dynamic import() of a file. */
function importsOf(file: string): string[] {
  const specs: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      specs.push(node.moduleSpecifier.text);
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      specs.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(parsed.get(file) as ts.SourceFile);
  return specs;
}

const resolve = (from: string, spec: string) =>
  path.resolve(path.dirname(from), spec).replace(/\.js$/, '.ts');

/** A folder of src/ (`app`, `db`, …) or a root module by name (`config`, `server`, …). */
function partOf(file: string): string {
  const [first, ...rest] = path.relative(SRC, file).split(path.sep);
  return rest.length === 0 ? (first as string).replace(/\.ts$/, '') : (first as string);
}

// Root modules every part but domain/ may use.
const SHARED = ['config', 'logger', 'errors'];
// Entry points and composition modules: they compose, so they may import anything.
const ENTRY_POINTS = ['server', 'worker', 'cli', 'compose', 'runtime'];

/** What each part may import (besides itself). See ARCHITECTURE.md for the reasons. */
const ALLOWED: Record<string, readonly string[]> = {
  domain: [],
  // The error model names the domain's vocabularies (a Pinpoint auth reason).
  errors: ['domain'],
  // The logger's stdout destination (one that never blocks exit) is its own module.
  logger: ['log-destination'],
  'log-destination': [],
  // The parsers of environment values are config's own module.
  config: ['config-values'],
  'config-values': [],
  secrets: [],
  // The simulator plays Pinpoint: it speaks the client's assumed names and signs webhooks with the
  // same module, so every guess about Pinpoint has one definition.
  simulator: ['pinpoint', ...SHARED],
  pinpoint: ['domain', ...SHARED],
  db: ['domain', ...SHARED],
  services: ['db', 'pinpoint', 'secrets', ...SHARED],
  app: ['db', 'domain', 'pinpoint', 'sync', 'secrets', 'services', ...SHARED],
  sync: ['db', 'domain', 'pinpoint', 'secrets', 'services', ...SHARED],
  context: ['app', ...SHARED],
  graphql: ['app', 'domain', 'context', ...SHARED],
  http: ['graphql', 'app', 'context', 'services', ...SHARED],
};

/** app/ may use sync/ only to enqueue: these modules of sync/. */
const APP_MAY_USE_FROM_SYNC = ['sync/outbox.ts', 'sync/jobs.ts', 'sync/ats-jobs.ts'];

/**
 * Arrows that break the rules today, each with its way out; the lead empties this list as the
 * branches that remove them land. A new forbidden arrow is not in it and fails the test.
 */
const KNOWN_OFFENDERS: ReadonlySet<string> = new Set<string>([]);

interface Arrow {
  readonly from: string;
  readonly to: string;
  readonly file: string;
  readonly target: string;
}

function arrows(): Arrow[] {
  return files.flatMap((file) =>
    importsOf(file)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => ({
        from: partOf(file),
        to: partOf(resolve(file, spec)),
        file,
        target: resolve(file, spec),
      }))
      .filter((a) => a.from !== a.to),
  );
}

function forbidden(arrow: Arrow): boolean {
  if (ENTRY_POINTS.includes(arrow.from)) return false;
  if (KNOWN_OFFENDERS.has(`${arrow.from} -> ${arrow.to}`)) return false;
  const allowed = ALLOWED[arrow.from];
  if (!allowed) return true; // a new part: give it a rule first
  if (!allowed.includes(arrow.to)) return true;
  if (arrow.from === 'app' && arrow.to === 'sync')
    return !APP_MAY_USE_FROM_SYNC.includes(path.relative(SRC, arrow.target));
  return false;
}

/** Cycles in the graph of parts (each reported once, as a path). */
function cycles(edges: readonly Arrow[]): string[] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const found = new Set<string>();
  const walk = (node: string, trail: string[]) => {
    if (trail.includes(node)) {
      const loop = trail.slice(trail.indexOf(node));
      const start = loop.indexOf([...loop].sort()[0] as string);
      found.add([...loop.slice(start), ...loop.slice(0, start), loop[start]].join(' -> '));
      return;
    }
    for (const to of next.get(node) ?? []) walk(to, [...trail, node]);
  };
  for (const node of next.keys()) walk(node, []);
  return [...found];
}

describe('import boundaries', () => {
  it('no part imports a part its rules forbid', () => {
    const bad = arrows()
      .filter(forbidden)
      .map(
        (a) => `${a.from} -> ${a.to} (${path.relative(SRC, a.file)} imports ${path.relative(SRC, a.target)})`,
      );
    expect(bad).toEqual([]);
  });

  it('there is no cycle between parts, apart from the listed offenders', () => {
    const edges = arrows().filter((a) => !KNOWN_OFFENDERS.has(`${a.from} -> ${a.to}`));
    expect(cycles(edges)).toEqual([]);
  });

  it('the worker loads neither the API (graphql/, http/, server.ts) nor Apollo or Pothos', () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) visit(resolve(file, spec));
        else packages.add(spec);
      }
    };
    visit(path.join(SRC, 'worker.ts'));
    const api = [...seen]
      .map((f) => path.relative(SRC, f))
      .filter((f) => /^(graphql|http)\/|^server\.ts$/.test(f));
    expect(api).toEqual([]);
    expect([...packages].filter((p) => /^@apollo\/|^@pothos\/|^graphql/.test(p))).toEqual([]);
  });
});

// ── Size ───────────────────────────────────────────────────────────────────────────────────────────

const MAX_FUNCTION_LINES = 80;
const MAX_FILE_LINES = 400;

/**
 * Functions and files over the limits, each with its reason. Empty: a new long function or file fails
 * the test.
 */
const SIZE_OFFENDERS: ReadonlySet<string> = new Set<string>([]);

function functionName(node: ts.Node): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name)
    return node.name.getText();
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText();
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
  return '<anonymous>';
}

describe('size', () => {
  it(`no function in src/ is over ${MAX_FUNCTION_LINES} lines, apart from the listed offenders`, () => {
    const long: string[] = [];
    for (const [file, source] of parsed) {
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          const id = `${path.relative(SRC, file)}:${functionName(node)}`;
          if (end - start + 1 > MAX_FUNCTION_LINES && !SIZE_OFFENDERS.has(id))
            long.push(`${id} (${end - start + 1} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(long).toEqual([]);
  });

  it(`no file in src/ is over ${MAX_FILE_LINES} lines, apart from the listed offenders`, () => {
    const long = files
      .map((file) => ({
        id: path.relative(SRC, file),
        lines: readFileSync(file, 'utf8').split('\n').length - 1,
      }))
      .filter((f) => f.lines > MAX_FILE_LINES && !SIZE_OFFENDERS.has(f.id))
      .map((f) => `${f.id} (${f.lines} lines)`);
    expect(long).toEqual([]);
  });
});
