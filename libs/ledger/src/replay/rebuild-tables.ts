import { QueryRunner } from 'typeorm';
import { LIVE_TABLES, ProjectionTables, REBUILD_TABLES } from '../append/projection-rows';
import { Query, queryOf } from '../database/query';

const KEYS = Object.keys(LIVE_TABLES) as (keyof ProjectionTables)[];

interface IndexDefinition {
  indexname: string;
  indexdef: string;
  primary: boolean;
}

const indexesOf = async (query: Query, table: string): Promise<IndexDefinition[]> =>
  query(
    `SELECT i.indexname, i.indexdef, x.indisprimary AS primary
       FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
      WHERE i.schemaname = current_schema() AND i.tablename = $1`,
    [table],
  );

/** The name an index of a live table has on its rebuild. */
const rebuildIndexName = (name: string) => `${name}_rebuild`;

/**
 * The rebuild's copies of the live projection tables. They are filled without indexes and
 * unlogged (nothing is worth writing ahead while a rebuild can simply start over), then get the
 * live tables' indexes and storage settings, and become logged only if they are swapped in.
 */
export const rebuildTables = {
  async create(query: Query): Promise<void> {
    await this.drop(query);
    for (const key of KEYS) {
      await query(`CREATE UNLOGGED TABLE ${REBUILD_TABLES[key]} (LIKE ${LIVE_TABLES[key]} INCLUDING DEFAULTS)`);
    }
  },

  /** The live tables' indexes (primary keys as primary keys) and fill factors, once the rows are in. */
  async index(query: Query): Promise<void> {
    for (const key of KEYS) {
      const live = LIVE_TABLES[key];
      const rebuild = REBUILD_TABLES[key];
      for (const index of await indexesOf(query, live)) {
        const name = rebuildIndexName(index.indexname);
        const definition = index.indexdef.replace(` INDEX ${index.indexname} ON `, ` INDEX ${name} ON `).replace(new RegExp(`\\.${live} `), `.${rebuild} `);
        await query(definition);
        if (index.primary) await query(`ALTER TABLE ${rebuild} ADD CONSTRAINT ${name} PRIMARY KEY USING INDEX ${name}`);
      }
      const [{ reloptions }] = await query(`SELECT reloptions FROM pg_class WHERE oid = $1::regclass`, [live]);
      if (reloptions) await query(`ALTER TABLE ${rebuild} SET (${(reloptions as string[]).join(', ')})`);
    }
  },

  /** Makes the rebuilds the live tables, under names and index names exactly as before. */
  async promote(runner: QueryRunner): Promise<void> {
    for (const key of KEYS) {
      const live = LIVE_TABLES[key];
      const rebuild = REBUILD_TABLES[key];
      const indexes = await indexesOf(queryOf(runner), live);
      await runner.query(`ALTER TABLE ${rebuild} SET LOGGED`);
      await runner.query(`DROP TABLE ${live}`);
      await runner.query(`ALTER TABLE ${rebuild} RENAME TO ${live}`);
      for (const index of indexes) await runner.query(`ALTER INDEX ${rebuildIndexName(index.indexname)} RENAME TO ${index.indexname}`);
    }
  },

  async drop(query: Query): Promise<void> {
    await query(`DROP TABLE IF EXISTS ${Object.values(REBUILD_TABLES).join(', ')}`);
  },
};
