/** The PostgreSQL store on PGlite: embedded PostgreSQL, no server (one database for the file). */
import { PGlite } from '@electric-sql/pglite';
import { createPostgresStore } from '../../src/server/postgresStore.js';
import { describeCursorOrder, describeRetention, describeStoreConformance } from './storeConformance.js';
import { describeOpsConformance } from './opsConformance.js';
import type { FreshOptions } from './storeConformance.js';

let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
}, 60_000);
afterAll(() => db?.close());

describeOpsConformance('PostgreSQL on PGlite', () => Promise.resolve(createPostgresStore({ pool: db })));
describeStoreConformance('PostgreSQL on PGlite', {
  shared: true,
  open: (options) => Promise.resolve(createPostgresStore({ pool: db, ...options })),
});

const fresh = async (options: FreshOptions = {}) => {
  const own = await PGlite.create();
  const store = createPostgresStore({ pool: own, ...options });
  return { store, dispose: () => store.close().then(() => own.close()) };
};
describeCursorOrder('PostgreSQL on PGlite', fresh);
describeRetention('PostgreSQL on PGlite', fresh);
