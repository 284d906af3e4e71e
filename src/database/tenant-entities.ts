/** Entity classes of a tenant schema; each tenant DataSource binds all of them to its own schema. */
export const TENANT_ENTITIES: Function[] = [];
