/**
 * PostgreSQL and Redis for the server tests and the bench: started when they are not running,
 * never skipped. `npx tsx scripts/services.ts` starts both and prints how to reach them.
 *
 * - PostgreSQL: Debian's cluster (`apt-get install -y postgresql`), started with
 *   `pg_ctlcluster`; a role `syncline_test` with a password (loopback asks for one) is created
 *   through the `postgres` superuser, and every test run gets its own database.
 *   `SYNCLINE_PG_URL` points the tests at another server instead (a role that may CREATE DATABASE).
 * - Redis: `redis-server` (`apt-get install -y redis-server`) on 127.0.0.1:6379, daemonized;
 *   tests that restart Redis run their own process on a port of their own (`startRedis`).
 *   `SYNCLINE_REDIS_URL` points the tests at another Redis instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROLE = 'syncline_test';
const PASSWORD = 'syncline_test';

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return { ok: false, out: r.error.message };
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

let adminUrl: Promise<string> | undefined;

/**
 * A connection string for a role that may create databases, starting Debian's PostgreSQL cluster
 * and creating the role when needed.
 * @throws Error saying how to install or start PostgreSQL when it cannot be started.
 */
export function ensurePostgres(): Promise<string> {
  adminUrl ??= startPostgres();
  return adminUrl;
}

async function startPostgres(): Promise<string> {
  if (process.env.SYNCLINE_PG_URL) return process.env.SYNCLINE_PG_URL;
  let list = run('pg_lsclusters', ['--no-header']);
  if (list.ok && list.out === '') {
    // Installed without a cluster (or its cluster was dropped): create Debian's default one.
    const versions = run('ls', ['/usr/lib/postgresql']).out.split(/\s+/).filter(Boolean).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) run('pg_createcluster', [versions[0], 'main']);
    list = run('pg_lsclusters', ['--no-header']);
  }
  if (!list.ok || list.out === '') {
    throw new Error(
      `PostgreSQL is not installed (pg_lsclusters: ${list.out || 'no cluster'}). ` +
        'Install it with: apt-get install -y postgresql (or set SYNCLINE_PG_URL to a server of yours).',
    );
  }
  // "15  main    5432 down   postgres /var/lib/postgresql/15/main ..."
  const [version, cluster, port, status] = list.out.split('\n')[0]!.trim().split(/\s+/);
  // Test files in several workers may get here at once: a start that fails because another
  // one is under way is fine as long as the server ends up accepting connections.
  const start = status === 'online' ? null : run('pg_ctlcluster', ['--skip-systemctl-redirect', version!, cluster!, 'start']);
  if (!(await waitFor(() => portOpen(Number(port)), 15_000))) {
    throw new Error(`PostgreSQL ${version}/${cluster} does not accept connections on 127.0.0.1:${port}: ${start?.out ?? ''}`);
  }
  const sql =
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ROLE}') THEN ` +
    `CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}'; END IF; END $$;`;
  let role = run('runuser', ['-u', 'postgres', '--', 'psql', '-p', port!, '-qAtc', sql]);
  for (let attempt = 1; !role.ok && attempt < 5; attempt++) {
    // Another worker's CREATE ROLE, or a server still starting up: try again shortly.
    await new Promise((r) => setTimeout(r, 300 * attempt));
    role = run('runuser', ['-u', 'postgres', '--', 'psql', '-p', port!, '-qAtc', sql]);
  }
  if (!role.ok) throw new Error(`Could not create the test role in PostgreSQL: ${role.out}`);
  return `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

export interface TestDatabase {
  connectionString: string;
  /** Drops the database (ends its connections first). */
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file or bench run, on the server `ensurePostgres` gives.
 * `durable: false` turns synchronous_commit off for it: commits no longer wait for the disk,
 * which only matters if PostgreSQL itself crashes (tests crash the app's instances, never it).
 * Benches keep the default, durable commits, as in production.
 */
export async function createTestDatabase(label: string, options: { durable?: boolean } = {}): Promise<TestDatabase> {
  const admin = await ensurePostgres();
  const name = `syncline_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
    if (options.durable === false) await client.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    connectionString: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

function redisServerPath(): string {
  const which = run('sh', ['-c', 'command -v redis-server']);
  if (!which.ok) {
    throw new Error('redis-server is not installed. Install it with: apt-get install -y redis-server (or set SYNCLINE_REDIS_URL).');
  }
  return which.out;
}

let sharedRedis: Promise<string> | undefined;

/** The shared Redis on 127.0.0.1:6379, started (daemonized) when nothing listens there. */
export function ensureRedis(): Promise<string> {
  sharedRedis ??= (async () => {
    if (process.env.SYNCLINE_REDIS_URL) return process.env.SYNCLINE_REDIS_URL;
    const port = 6379;
    if (!(await portOpen(port))) {
      // A second worker starting it at the same time fails to bind: fine if one of them listens.
      const r = run(redisServerPath(), ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no']);
      if (!(await waitFor(() => portOpen(port), 10_000))) throw new Error(`Redis does not accept connections on 127.0.0.1:${port}: ${r.out}`);
    }
    return `redis://127.0.0.1:${port}`;
  })();
  return sharedRedis;
}

export interface OwnRedis {
  url: string;
  port: number;
  /** Stops the server (SIGKILL: as abrupt as a crash) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/** A redis-server process of the caller's own, on a free port, for tests that stop and restart Redis. */
export async function startRedis(port?: number): Promise<OwnRedis> {
  const path = redisServerPath();
  const chosen = port ?? (await freePort());
  let child: ChildProcess | undefined;
  const own: OwnRedis = {
    url: `redis://127.0.0.1:${chosen}`,
    port: chosen,
    async start() {
      if (child) return;
      const proc = spawn(path, ['--bind', '127.0.0.1', '--port', String(chosen), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      child = proc;
      proc.once('exit', () => {
        if (child === proc) child = undefined;
      });
      if (!(await waitFor(() => portOpen(chosen), 10_000))) throw new Error(`redis-server did not start on port ${chosen}.`);
    },
    async stop() {
      const proc = child;
      if (!proc) return;
      child = undefined;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
  };
  await own.start();
  return own;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    import('node:net').then(({ createServer }) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(port));
      });
    }, reject);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pgUrl = await ensurePostgres();
  const redisUrl = await ensureRedis();
  console.log(`PostgreSQL: ${pgUrl}\nRedis:      ${redisUrl}`);
}
