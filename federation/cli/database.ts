/**
 * `--database <url>`, shared by the commands that open a store: a `postgres://` or
 * `postgresql://` URL stores in PostgreSQL instead of the SQLite file in the data folder; without
 * it, the `DATABASE_URL` environment variable (when set and not empty) is used.
 */
export const DATABASE_OPTION = { database: { type: 'string' } } as const;

export const DATABASE_USAGE =
  '  --database <url>         store in PostgreSQL at this postgres:// URL instead of SQLite in\n' +
  '                           the data folder (default: $DATABASE_URL when set)';

export function databaseUrl(value: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = value ?? env['DATABASE_URL'];
  return url === undefined || url === '' ? undefined : url;
}
