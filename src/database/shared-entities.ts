import { Tenant } from '../tenancy/tenant.entity';
import { SchemaVersion } from './schema-version.entity';

export const SHARED_ENTITIES = [Tenant, SchemaVersion];
