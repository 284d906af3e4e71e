import { ArchiveLoaderService } from './archive-loader.service';
import { TenantAdoptService } from './tenant-adopt.service';
import { TenantExportService } from './tenant-export.service';
import { TenantImportService } from './tenant-import.service';

/** The tenant lifecycle services (export, import, clone, adopt …), provided by TenancyCoreModule to the API and the CLI. */
export const LIFECYCLE_PROVIDERS = [ArchiveLoaderService, TenantExportService, TenantImportService, TenantAdoptService];
