import { Client } from 'pg';
import { stackEnv, uniqueSuffix, withDatabase } from './stack-env';

/**
 * A database of its own on the stack's PostgreSQL, for tests that migrate or undo migrations: created
 * by `create()` (named `<prefix>_<unique suffix>`), dropped with its connections by `drop()`.
 */
export class ScratchDatabase {
  readonly name: string;
  readonly url: string;
  private readonly admin: Client;

  constructor(prefix: string) {
    const { adminDatabaseUrl } = stackEnv();
    this.name = `${prefix}_${uniqueSuffix()}`;
    this.url = withDatabase(adminDatabaseUrl, this.name);
    this.admin = new Client({ connectionString: adminDatabaseUrl });
  }

  async create(): Promise<this> {
    await this.admin.connect();
    await this.admin.query(`CREATE DATABASE ${this.name}`);
    return this;
  }

  async drop(): Promise<void> {
    await this.admin.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    await this.admin.end();
  }
}
