import { SchemaVersion } from './database/migrations/schema-version.entity';
import { JobLog } from './jobs/job-log.entity';
import { Job } from './jobs/job.entity';
import { Schedule } from './schedules/schedule.entity';
import { Session } from './sessions/session.entity';
import { Target } from './targets/target.entity';
import { ApiKey } from './tenancy/auth/api-key.entity';
import { Tenant } from './tenancy/registry/tenant.entity';

/** Entity classes of the `shared` schema (the registry's DataSource). */
export const SHARED_ENTITIES: Function[] = [Tenant, ApiKey, SchemaVersion];
/** Entity classes of a tenant schema; each tenant DataSource binds all of them to its own schema. */
export const TENANT_ENTITIES: Function[] = [Target, Session, Job, JobLog, Schedule];

/** What the database layer is given by the application (it imports no feature itself). */
export const ENTITIES = { shared: SHARED_ENTITIES, tenant: TENANT_ENTITIES };
