/**
 * The PostgreSQL store on a real PostgreSQL server (Debian's, started by scripts/services.ts when
 * it is not running; a server that cannot be started fails these tests). One database per run.
 */
import pg from 'pg';
import { builtinMutators } from '../../src/model/mutators.js';
import { createPostgresStore } from '../../src/server/postgresStore.js';
import { postgresMigrations } from '../../src/server/postgresSchema.js';
import { createTestDatabase } from '../../scripts/services.js';
import type { TestDatabase } from '../../scripts/services.js';
import { describeCursorOrder, describeRetention, describeStoreConformance } from './storeConformance.js';
import { describeOpsConformance } from './opsConformance.js';
import type { FreshOptions } from './storeConformance.js';

let database: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  database = await createTestDatabase('store');
  pool = new pg.Pool({ connectionString: database.connectionString, max: 20 });
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describeOpsConformance('PostgreSQL 15 through pg', () => Promise.resolve(createPostgresStore({ connectionString: database.connectionString })));
describeStoreConformance('PostgreSQL 15 through pg', {
  shared: true,
  // Each open is an instance of its own with its own pool, like a server process.
  open: (options) => Promise.resolve(createPostgresStore({ connectionString: database.connectionString, ...options })),
});

const fresh = async (options: FreshOptions = {}) => {
  const own = await createTestDatabase('fresh');
  const store = createPostgresStore({ connectionString: own.connectionString, ...options });
  return { store, dispose: () => store.close().then(() => own.drop()) };
};
describeCursorOrder('PostgreSQL 15 through pg', fresh);
describeRetention('PostgreSQL 15 through pg', fresh);

describe('PostgreSQL schema', () => {
  it('migrates once when instances start together, and records the version', async () => {
    const stores = Array.from({ length: 4 }, () => createPostgresStore({ pool, migrate: false }));
    const applied = await Promise.all(stores.map((s) => s.migrate()));
    expect(applied.flat().every((v) => v <= postgresMigrations.length)).toBe(true);
    const { rows } = await pool.query('SELECT version FROM syncline_schema ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(postgresMigrations.map((_, i) => i + 1));
    expect(await stores[0]!.migrate()).toEqual([]);
  });

  it('refuses a database whose schema is newer than this package, and changes nothing', async () => {
    await createPostgresStore({ pool }).migrate();
    await pool.query('INSERT INTO syncline_schema (version) VALUES (999)');
    try {
      await expect(createPostgresStore({ pool }).head()).rejects.toThrow(/schema version 999.*upgrade syncline/);
    } finally {
      await pool.query('DELETE FROM syncline_schema WHERE version = 999');
    }
  });

  it('refuses a second row for one (clientId, seq) at the database itself', async () => {
    const store = createPostgresStore({ pool });
    await store.push({ clientId: 'unique-check', epoch: 1, mutations: [{ seq: 1, id: 'a', threadId: 'uq', name: 'setTitle', args: { title: 'x' }, createdAt: 1 }] }, builtinMutators);
    await expect(
      pool.query(`INSERT INTO syncline_mutations (client_id, seq, mutation_id, thread_id, name, status) VALUES ('unique-check', 1, 'b', 'uq', 'setTitle', 'applied')`),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it("an instance reads another instance's newer version, not the one it holds", async () => {
    const a = createPostgresStore({ pool });
    const b = createPostgresStore({ pool });
    const write = (store: typeof a, seq: number, title: string) =>
      store.push({ clientId: 'coherence', epoch: 1, mutations: [{ seq, id: `w${seq}`, threadId: 'coherent', name: 'setTitle', args: { title }, createdAt: 1 }] }, builtinMutators);
    await write(a, 1, 'first');
    expect(await a.thread('coherent')).toMatchObject({ v: 1, title: 'first' });
    await write(b, 2, 'second');
    expect(await a.thread('coherent')).toMatchObject({ v: 2, title: 'second' });
    expect(await a.thread('coherent')).toBe(await a.thread('coherent')); // unchanged: not read again
  });

  it('reports a database it cannot reach through the call, without an unhandled rejection', async () => {
    const store = createPostgresStore({ connectionString: 'postgres://nobody:wrong@127.0.0.1:1/none' });
    await expect(store.head()).rejects.toThrow();
    await store.close();
  });

  it('leaves a pool the app passed open on close', async () => {
    const store = createPostgresStore({ pool });
    await store.head();
    await store.close();
    expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  });
});
