import { SHARED_MIGRATIONS } from '../../../migrations/shared';
import { TENANT_MIGRATIONS } from '../../../migrations/tenant';
import { latestVersion, migrationSteps } from './schema-migrator';

export const SHARED_STEPS = migrationSteps(SHARED_MIGRATIONS);
export const TENANT_STEPS = migrationSteps(TENANT_MIGRATIONS);
/** The tenant schema version this build of the code needs. */
export const LATEST_TENANT_VERSION = latestVersion(TENANT_STEPS);
