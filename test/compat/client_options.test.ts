// system_views.clients.client_options shows the STARTUP options map, as Cassandra 4.1 does
// (CQL_VERSION, DRIVER_NAME, DRIVER_VERSION, COMPRESSION, ...).

import test, { after, before } from 'node:test';
import { startNodeProcess } from '../harness.js';
import { registerCases } from './_support.js';

registerCases('client_options', [{
  name: 'system_views.clients.client_options holds the STARTUP options',
  steps: [
    { q: 'SELECT client_options FROM system_views.clients', like: /"CQL_VERSION":"3\.\d\.\d"/ },
  ],
}], { test, before, after, start: () => startNodeProcess() });
