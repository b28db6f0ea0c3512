// Without a PostgreSQL cluster (recorded as a skip by global setup, which
// makes .ci/run fail) the suite still runs, on SQLite.
process.env.TEST_DB_ENGINE = 'postgres';
