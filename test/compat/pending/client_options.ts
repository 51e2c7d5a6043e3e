// PENDING (to H20 + lead): system_views.clients.client_options is always null. Cassandra 4.1 shows
// the STARTUP options map there (CQL_VERSION, DRIVER_NAME, DRIVER_VERSION, COMPRESSION, ...). The
// transport keeps only DRIVER_NAME/DRIVER_VERSION (src/server/native/connection.ts) and node.ts
// does not fill ClientInfo.clientOptions. Rename to ../client_options.test.ts once fixed.

import test, { after, before } from 'node:test';
import { startNodeProcess } from '../../harness.js';
import { registerCases } from '../_support.js';

registerCases('client_options', [{
  name: 'system_views.clients.client_options holds the STARTUP options',
  steps: [
    { q: 'SELECT client_options FROM system_views.clients', like: /"CQL_VERSION":"3\.\d\.\d"/ },
  ],
}], { test, before, after, start: () => startNodeProcess() });
