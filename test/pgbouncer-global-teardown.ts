import { stopTestPgbouncer } from './pgbouncer-global-setup';

export default stopTestPgbouncer;
