/** The PostgreSQL store on PGlite: embedded PostgreSQL, no server (one database for the file). */
import { PGlite } from '@electric-sql/pglite';
import { createPostgresStore } from '../../src/server/postgresStore.js';
import { describeCursorOrder, describeStoreConformance } from './storeConformance.js';

let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
}, 60_000);
afterAll(() => db?.close());

describeStoreConformance('PostgreSQL on PGlite', {
  shared: true,
  open: (options) => Promise.resolve(createPostgresStore({ pool: db, ...options })),
});

describeCursorOrder('PostgreSQL on PGlite', async () => {
  const fresh = await PGlite.create();
  const store = createPostgresStore({ pool: fresh });
  return { store, dispose: () => store.close().then(() => fresh.close()) };
});
