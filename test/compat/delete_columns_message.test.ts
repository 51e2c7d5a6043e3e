// `DELETE v FROM t WHERE p = 1` on a table with clustering columns: Cassandra 4.1 plans it as a
// whole-partition range and refuses it in DeleteStatement.addUpdateForKey with "Range deletions are
// not supported for specific columns" (code 0x2200).

import test, { after, before } from 'node:test';
import { startNodeProcess } from '../harness.js';
import { registerCases } from './_support.js';

registerCases('delete_columns', [{
  name: 'deleting columns with only the partition key restricted is a range deletion of columns',
  steps: [
    { q: 'CREATE TABLE rf (p int, c1 int, c2 int, v int, PRIMARY KEY (p, c1, c2))' },
    { q: 'DELETE v FROM rf WHERE p = 1', error: { code: 0x2200, match: /^(InvalidRequest: .*)?Range deletions are not supported for specific columns/ } },
  ],
}], { test, before, after, start: () => startNodeProcess() });
