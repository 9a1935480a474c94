import { registryContract } from './registry.contract.ts';
import { usePostgresStores } from '../../test/support/postgres-stores.ts';

const database = usePostgresStores();
registryContract('PostgreSQL', database.harness);
