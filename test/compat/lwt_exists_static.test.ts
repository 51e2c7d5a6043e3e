// IF EXISTS / IF NOT EXISTS look at the row at the statement's clustering (Cassandra's CQL3CasRequest
// ExistCondition), not at the partition: a partition holding only a static row has no row c = 9.

import test, { after, before } from 'node:test';
import { startNodeProcess } from '../harness.js';
import { registerCases } from './_support.js';

registerCases('lwt_static', [{
  name: 'IF EXISTS on a missing row of a partition that has only a static row is not applied',
  steps: [
    { q: 'CREATE TABLE ie (p int, c int, s int static, v int, PRIMARY KEY (p, c))' },
    { q: 'UPDATE ie SET s = 1 WHERE p = 1' },
    { q: 'UPDATE ie SET v = 1 WHERE p = 1 AND c = 9 IF EXISTS', rows: [[false]] },
    { q: 'DELETE FROM ie WHERE p = 1 AND c = 9 IF EXISTS', rows: [[false]] },
    { q: 'SELECT p, c, s, v FROM ie', rows: [[1, null, 1, null]] },
    { q: 'INSERT INTO ie (p, c, v) VALUES (1, 8, 8) IF NOT EXISTS', rows: [[true]] },
    { q: 'UPDATE ie SET s = 2 WHERE p = 1 IF EXISTS', rows: [[true]] },
    { q: 'UPDATE ie SET s = 3 WHERE p = 2 IF EXISTS', rows: [[false]] },
    { q: 'SELECT p, c, s, v FROM ie', rows: [[1, 8, 2, 8]] },
  ],
}], { test, before, after, start: () => startNodeProcess() });
