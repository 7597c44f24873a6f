import { createDataSource } from './create-data-source.js';

export { createDataSource };

// Only for the TypeORM CLI (`npm run migration:generate`), which loads this file's default
// export; the apps call prepareDatabase with their validated configuration instead.
export default createDataSource(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/buildcast');
