// `npm run migration:run`: creates the database if needed, applies pending migrations, exits.
import 'reflect-metadata';
import { loadConfig } from '#config';
import { prepareDatabase } from '../migrate.js';
import { DatabaseUnreachableError, waitForDatabase } from '../wait-for-database.js';

async function main(): Promise<void> {
  const { databaseUrl } = loadConfig();
  await waitForDatabase(databaseUrl);
  const dataSource = await prepareDatabase(databaseUrl, { poolSize: 1 });
  try {
    const applied = await dataSource.query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id');
    console.log(`Migrations applied: ${applied.map((row) => row.name).join(', ')}`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof DatabaseUnreachableError ? error.message : error);
  process.exit(1);
});
