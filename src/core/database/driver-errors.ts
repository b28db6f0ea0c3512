import { QueryFailedError } from 'typeorm';

/** The database driver's error code behind a failed query (`23505`, `SQLITE_BUSY`, …); undefined for other errors. */
export function driverErrorCode(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError: unknown = error.driverError;
  const code =
    typeof driverError === 'object' && driverError !== null ? (driverError as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** A unique or primary-key constraint refused the row (PostgreSQL or SQLite). */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverErrorCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Another SQLite connection holds the lock the statement needed (`SQLITE_BUSY` and its extended codes). */
export function isSqliteBusy(error: unknown): boolean {
  return driverErrorCode(error)?.startsWith('SQLITE_BUSY') === true;
}
