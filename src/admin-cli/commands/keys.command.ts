import { Command, Option, SubCommand } from 'nest-commander';
import { InvalidInputError } from '../../common/domain-errors';
import { canonicalIsoTimestamp } from '../../common/iso-timestamp';
import type { ApiKeyScope } from '../../tenancy/auth/api-key-scopes';
import { GRACE_SECONDS_MAX, parseDuration } from '../../tenancy/keys/api-key-rules';
import { toApiKeyView } from '../../tenancy/keys/api-key-view';
import { ApiKeysService } from '../../tenancy/keys/api-keys.service';
import { CliCommand } from '../cli-command';
import { CliOutput } from '../cli-output.service';
import { keyNotice, keyTable } from '../format';
import { JsonCommand } from '../json-command';

@SubCommand({ name: 'list', arguments: '<tenant>', description: "List a tenant's keys (live ones unless --all)" })
export class KeysListCommand extends JsonCommand {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([tenant]: string[], options: { json?: boolean; all?: boolean }): Promise<void> {
    const all = [];
    let cursor: string | undefined;
    do {
      const page = await this.keys.list(tenant, { limit: 100, cursor, includeRevoked: options.all });
      all.push(...page.items.map(toApiKeyView));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    if (options.json) return this.out.json(all);
    this.out.print(keyTable(all));
  }

  @Option({ flags: '--all', description: 'include revoked keys' })
  parseAll(): boolean {
    return true;
  }
}

@SubCommand({ name: 'create', arguments: '<tenant>', description: 'Create a key and print it once' })
export class KeysCreateCommand extends JsonCommand {
  protected override readonly repeatableOptions = ['scope'];

  constructor(
    private readonly keys: ApiKeysService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([tenant]: string[], options: { json?: boolean; name?: string; scope?: ApiKeyScope[]; expiresAt?: string }): Promise<void> {
    if (options.name === undefined) throw new InvalidInputError('--name is required');
    const expiresAt = options.expiresAt === undefined ? null : parseTimestamp(options.expiresAt);
    const { key, apiKey } = await this.keys.create(tenant, { name: options.name, scopes: options.scope, expiresAt });
    if (options.json) return this.out.json({ key: toApiKeyView(key), apiKey });
    this.out.print(`Created key ${key.name} (${key.scopes.join(', ')}) for ${tenant}.${keyNotice(apiKey)}`);
  }

  @Option({ flags: '--name <name>', description: 'unique among the live keys of the tenant' })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--scope <scope>', description: 'read, write or worker; repeat for several (default all)' })
  parseScope(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }

  @Option({ flags: '--expires-at <time>', description: 'ISO 8601 with an offset, e.g. 2027-01-01T00:00:00Z' })
  parseExpiresAt(value: string): string {
    return value;
  }
}

@SubCommand({ name: 'revoke', arguments: '<tenant> <keyId>', description: 'Revoke a key: refused at once, on every instance' })
export class KeysRevokeCommand extends JsonCommand {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([tenant, keyId]: string[], options: { json?: boolean }): Promise<void> {
    await this.keys.revoke(tenant, keyId);
    if (options.json) return this.out.json({ revoked: keyId });
    this.out.print(`Revoked key ${keyId}.`);
  }
}

@SubCommand({ name: 'rotate', arguments: '<tenant> <keyId>', description: 'Issue a new key; the old one works for --grace' })
export class KeysRotateCommand extends JsonCommand {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([tenant, keyId]: string[], options: { json?: boolean; grace?: string }): Promise<void> {
    const grace = options.grace === undefined ? 0 : parseDuration(options.grace);
    if (grace === null) throw new InvalidInputError('--grace must be a duration such as 90, 90s, 15m, 1h or 7d');
    // Said of the option as typed (the service would name its HTTP field, graceSeconds).
    if (grace > GRACE_SECONDS_MAX) throw new InvalidInputError(`--grace must be at most 7d (${GRACE_SECONDS_MAX} s), got ${grace} s`);
    const { key, apiKey } = await this.keys.rotate(tenant, keyId, grace);
    if (options.json) return this.out.json({ key: toApiKeyView(key), apiKey });
    this.out.print(`Rotated key ${keyId} into ${key.id}; the old key works for ${grace} s more.${keyNotice(apiKey)}`);
  }

  @Option({ flags: '--grace <duration>', description: 'how long the old key keeps working (default 0)' })
  parseGrace(value: string): string {
    return value;
  }
}

@Command({
  name: 'keys',
  description: "A tenant's API keys: list, create, revoke, rotate",
  subCommands: [KeysListCommand, KeysCreateCommand, KeysRevokeCommand, KeysRotateCommand],
  // A word that is no subcommand reaches run(), which names it.
  allowExcessArgs: true,
})
export class KeysCommand extends CliCommand {
  override readonly usesDatabase = false;

  async run([word]: string[]): Promise<void> {
    const known = 'list, create, revoke or rotate';
    throw new InvalidInputError(word === undefined ? `keys needs a subcommand: ${known}` : `unknown keys subcommand '${word}': use ${known}`);
  }
}

/** A timestamp as the HTTP API takes it (`iso-timestamp.ts`): 2027-02-30 or 24:00 is refused, not rolled over. */
function parseTimestamp(text: string): Date {
  const canonical = canonicalIsoTimestamp(text);
  if (canonical === null) {
    throw new InvalidInputError('--expires-at must be an ISO 8601 date-time with an offset (Z or ±hh:mm), e.g. 2027-01-01T00:00:00Z');
  }
  return new Date(canonical);
}
