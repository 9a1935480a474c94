import { staffStoreContract } from './store.contract.ts';
import { usePostgresStores } from '../../test/support/postgres-stores.ts';

const database = usePostgresStores();
staffStoreContract('PostgreSQL', database.harness);
