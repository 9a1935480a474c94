import { leaderboardContract } from './leaderboard.contract.ts';
import { usePostgresStores } from '../../test/support/postgres-stores.ts';

const database = usePostgresStores();
leaderboardContract('PostgreSQL', database.harness);
