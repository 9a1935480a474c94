import { goldContract } from './gold.contract.ts';
import { usePostgresStores } from '../../test/support/postgres-stores.ts';

const database = usePostgresStores();
goldContract('PostgreSQL', database.harness);
