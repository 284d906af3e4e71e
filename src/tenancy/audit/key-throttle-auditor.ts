import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EnvironmentVariables } from '../../config/environment-variables';
import { ApiKeyVerifierService } from '../auth/api-key-verifier.service';
import { AuditTrail } from './audit-trail.service';

/** Records "throttling of a key id begun" (actor `system`) when a tenant's key id reaches the failure limit. */
@Injectable()
export class KeyThrottleAuditor implements OnModuleInit {
  private readonly logger = new Logger(KeyThrottleAuditor.name);

  constructor(
    private readonly config: EnvironmentVariables,
    private readonly dataSource: DataSource,
    private readonly verifier: ApiKeyVerifierService,
    private readonly audit: AuditTrail,
  ) {}

  onModuleInit(): void {
    this.verifier.onKeyThrottled((keyId, tenantId) => {
      // Key ids of no tenant are not recorded: made-up ids would only fill the table.
      if (!tenantId) return;
      const detail = { failures: this.config.AUTH_FAILURE_LIMIT, windowSeconds: this.config.AUTH_FAILURE_WINDOW_SECONDS };
      this.audit
        .record(this.dataSource.manager, { action: 'key.throttled', actor: 'system', tenantId, keyId, detail })
        .catch((error: Error) => this.logger.warn(`key.throttled not recorded: ${error.message}`));
    });
  }
}
