/**
 * What a migration needs to know of the database it runs on. Migrations are shared by SQLite and
 * PostgreSQL; where their DDL must differ (an auto-numbered key, bytes, 64-bit integers), the
 * SQLite branch is exactly what the migration did before PostgreSQL existed, so files migrated
 * by an earlier release stay as they were.
 */
import { PostgresAdapter, type QueryExecutorProvider } from 'kysely';

export function isPostgres(db: QueryExecutorProvider): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
