/** The PostgreSQL URL in use (external or embedded); resolved before the Nest application is built. */
export const DATABASE_URL = Symbol('DATABASE_URL');
