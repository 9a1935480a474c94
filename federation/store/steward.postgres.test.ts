import { stewardContract } from './steward.contract.ts';
import { usePostgresStores } from '../../test/support/postgres-stores.ts';

const database = usePostgresStores();
stewardContract('PostgreSQL', database.harness);
