import { releaseRegistryContract } from './registry.contract.ts';
import { usePostgresStores } from '../../test/support/postgres-stores.ts';

const database = usePostgresStores();
releaseRegistryContract('PostgreSQL', database.harness);
