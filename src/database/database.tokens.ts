/** The PostgreSQL URL in use (external or embedded); resolved before the Nest application is built. */
export const DATABASE_URL = Symbol('DATABASE_URL');

/**
 * A connection that is a real PostgreSQL session, for what a transaction-mode pooler cannot carry (LISTEN):
 * DATABASE_DIRECT_URL when DATABASE_URL points at PgBouncer, else the same URL as DATABASE_URL.
 */
export const DIRECT_DATABASE_URL = Symbol('DIRECT_DATABASE_URL');

/** The entity classes of the shared and of a tenant schema, handed down by the application module. */
export const ENTITY_CLASSES = Symbol('ENTITY_CLASSES');

export interface EntityClasses {
  shared: Function[];
  tenant: Function[];
}
