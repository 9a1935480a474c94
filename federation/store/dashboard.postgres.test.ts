import { dashboardContract } from './dashboard.contract.ts';
import { usePostgresStores } from '../../test/support/postgres-stores.ts';

const database = usePostgresStores();
dashboardContract('PostgreSQL', database.harness);
