import { Command, Option } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { InvalidInputError } from '../../common/domain-errors';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import type { RateLimitInput } from '../../tenancy/rate-limit/rate-limit-rules';
import { TenantsService } from '../../tenancy/registry/tenants.service';
import { CliOutput } from '../cli-output.service';
import { tenantLines } from '../format';

interface UpdateOptions {
  name?: string;
  activate?: boolean;
  deactivate?: boolean;
  /** A number (as typed), or `default`. */
  rateLimit?: string;
  burst?: string;
  json?: boolean;
}

const WHOLE = /^\d{1,10}$/;

@Command({
  name: 'update',
  arguments: '<id-or-slug>',
  description: 'Rename, activate or deactivate a tenant, or set its rate limit (--rate-limit 50 --burst 100, --rate-limit default)',
})
export class UpdateTenantCommand extends JsonCommand {
  protected override readonly conflictingOptions = [['activate', 'deactivate']] as const;

  constructor(
    private readonly tenants: TenantsService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([idOrSlug]: string[], options: UpdateOptions): Promise<void> {
    if (options.name === undefined && !options.activate && !options.deactivate && options.rateLimit === undefined) {
      throw new InvalidInputError('nothing to change: pass --name, --activate, --deactivate or --rate-limit');
    }
    const isActive = options.activate ? true : options.deactivate ? false : undefined;
    const rateLimit = rateLimitOption(options);
    const tenant = toTenantView(await this.tenants.update(idOrSlug, { name: options.name, isActive, rateLimit }));
    if (options.json) return this.out.json(tenant);
    this.out.print(`Updated tenant ${tenant.slug}\n${tenantLines(tenant)}`);
  }

  @Option({ flags: '--name <name>', description: 'new display name' })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--activate', description: 'let the tenant use its key again' })
  parseActivate(): boolean {
    return true;
  }

  @Option({ flags: '--deactivate', description: 'refuse the tenant (403) at once, on every instance' })
  parseDeactivate(): boolean {
    return true;
  }

  @Option({
    flags: '--rate-limit <rps>',
    description: 'requests a second (0 = unlimited), or "default" for TENANT_RATE_LIMIT_RPS; on every instance at once',
  })
  parseRateLimit(value: string): string {
    return value;
  }

  @Option({ flags: '--burst <n>', description: 'most requests at once (default: the --rate-limit value); with --rate-limit' })
  parseBurst(value: string): string {
    return value;
  }
}

/** `--rate-limit` and `--burst` as the service takes them; the service checks the numbers' ranges. */
function rateLimitOption({ rateLimit, burst }: UpdateOptions): RateLimitInput | null | undefined {
  if (rateLimit === undefined) {
    if (burst !== undefined) throw new InvalidInputError('--burst goes with --rate-limit');
    return undefined;
  }
  if (rateLimit.trim().toLowerCase() === 'default') {
    if (burst !== undefined) throw new InvalidInputError('--burst cannot go with --rate-limit default');
    return null;
  }
  if (!WHOLE.test(rateLimit.trim())) throw new InvalidInputError('--rate-limit must be a whole number of requests a second, or "default"');
  if (burst !== undefined && !WHOLE.test(burst.trim())) throw new InvalidInputError('--burst must be a whole number of requests');
  return { requestsPerSecond: Number(rateLimit.trim()), ...(burst === undefined ? {} : { burst: Number(burst.trim()) }) };
}
