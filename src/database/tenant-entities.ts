import { JobLog } from '../jobs/job-log.entity';
import { Job } from '../jobs/job.entity';
import { Session } from '../sessions/session.entity';
import { Target } from '../targets/target.entity';

/** Entity classes of a tenant schema; each tenant DataSource binds all of them to its own schema. */
export const TENANT_ENTITIES: Function[] = [Target, Session, Job, JobLog];
