/**
 * The provisioning port's contract against SQLite: the core stores and the
 * provisioning store on two connections to one database file, as a node runs them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStores } from '../../controller/adapters/sqlite/index.js';
import { openSqliteProvisioningStore } from '../../controller/adapters/sqlite/provisioning-store.js';
import { describeProvisioningStore, type MakeProvisioning } from './provisioning-store.contract.js';

const onFile: MakeProvisioning = async ({ clock }) => {
  const dir = mkdtempSync(join(tmpdir(), 'wfc-prov-contract-'));
  const file = join(dir, 'wfc.sqlite');
  const stores = openSqliteStores({ file }, { clock });
  const provisioning = openSqliteProvisioningStore({ file }, { clock });
  return {
    stores,
    provisioning,
    async cleanup() {
      await provisioning.close();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

describeProvisioningStore('SQLite file', onFile);
