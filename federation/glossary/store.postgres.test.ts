import { usePostgresStores } from '../../test/support/postgres-stores.ts';
import { glossaryStoreContract } from './store.contract.ts';

glossaryStoreContract('PostgreSQL', usePostgresStores().harness);
