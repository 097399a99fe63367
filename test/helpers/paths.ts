// Where test runs keep generated files.
import path from 'node:path';

export const TEMPLATE_DIR = path.resolve('.test-data');
export const TEMPLATE_PATH = path.join(TEMPLATE_DIR, 'pglite-template.tar');
