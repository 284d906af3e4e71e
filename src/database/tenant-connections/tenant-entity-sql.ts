import { DataSource, type DataSourceOptions, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { quoteSchema } from '../schema-name';
import { columnsOf } from '../table-sql';

/** A DataSource used for its entity metadata only: never initialized, so it holds no connection. */
class MetadataOnlyDataSource extends DataSource {
  async buildMetadataOnly(): Promise<this> {
    await this.buildMetadatas();
    return this;
  }
}

/**
 * The table and column SQL of the tenant entities, from metadata built once for every tenant schema: tables and
 * columns are named alike in each, only the schema differs. A statement written with it needs no DataSource of
 * its tenant, so a tenant whose DataSource is not in the LRU costs a pool checkout, not a metadata build.
 */
export class TenantEntitySql {
  private built?: Promise<MetadataOnlyDataSource>;
  private readonly columns = new Map<EntityTarget<ObjectLiteral>, { tableName: string; columns: string }>();

  constructor(private readonly options: () => DataSourceOptions) {}

  async of(schemaName: string, entity: EntityTarget<ObjectLiteral>): Promise<{ table: string; columns: string }> {
    let names = this.columns.get(entity);
    if (!names) {
      this.built ??= new MetadataOnlyDataSource(this.options()).buildMetadataOnly();
      const { manager } = await this.built;
      names = { tableName: manager.connection.getMetadata(entity).tableName, columns: columnsOf(manager, entity) };
      this.columns.set(entity, names);
    }
    return { table: `${quoteSchema(schemaName)}.${quoteIdentifier(names.tableName)}`, columns: names.columns };
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
