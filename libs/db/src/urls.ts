/**
 * Where Postgres is when nothing says otherwise: the one default for the apps, the CLI, the
 * tools and the tests. A light module (no Prisma), so config files can import it.
 */
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/moodlab';

/** The default server with another database on it: the tests', the browser tests', a benchmark's. */
export function databaseUrlFor(database: string, base: string = DEFAULT_DATABASE_URL): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}
