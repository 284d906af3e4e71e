import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A tenant's own rate limit (a token bucket: `rate_limit_rps` requests a second, at most `rate_limit_burst` at
 * once); both NULL = the instance default (TENANT_RATE_LIMIT_RPS), `rate_limit_rps` 0 = unlimited. The checks
 * repeat the API's rules (src/tenancy/rate-limit/rate-limit-rules.ts), so no other writer can store a limit
 * the limiter cannot honour.
 */
export class AddTenantRateLimit1764810000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "shared"."tenants"
        ADD COLUMN "rate_limit_rps" integer,
        ADD COLUMN "rate_limit_burst" integer,
        ADD CONSTRAINT "tenants_rate_limit_check" CHECK (
          ("rate_limit_rps" IS NULL AND "rate_limit_burst" IS NULL)
          OR ("rate_limit_rps" = 0 AND "rate_limit_burst" = 0)
          OR ("rate_limit_rps" BETWEEN 1 AND 1000000 AND "rate_limit_burst" BETWEEN "rate_limit_rps" AND 1000000)
        )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "shared"."tenants"
        DROP CONSTRAINT "tenants_rate_limit_check",
        DROP COLUMN "rate_limit_burst",
        DROP COLUMN "rate_limit_rps"`);
  }
}
