import { Client } from 'pg';

/** The PostgreSQL server tests may use (`.ci/run` sets it); unset: those tests skip (fail under CI). */
export const POSTGRES_ENV = 'TEND_TEST_POSTGRES_URL';

/** A new, empty PostgreSQL database on the test server, dropped by `drop()`. */
export class TestDatabase {
  private constructor(
    private readonly adminUrl: string,
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(adminUrl: string): Promise<TestDatabase> {
    const name = `tend_e2e_${process.pid}_${Date.now()}`;
    await TestDatabase.admin(adminUrl, `CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return new TestDatabase(adminUrl, name, url.toString());
  }

  /** Drops the database; the servers using it must have stopped. */
  async drop(): Promise<void> {
    await TestDatabase.admin(this.adminUrl, `DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
  }

  private static async admin(adminUrl: string, sql: string): Promise<void> {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
