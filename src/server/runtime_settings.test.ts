import test from 'node:test';
import assert from 'node:assert/strict';
import { RuntimeSettings } from './runtime_settings.js';
import { defaultConfig } from './config.js';
import { ConfigError } from '../util/errors.js';

test('runtime settings: changes apply, notify listeners and show in the settings rows', () => {
  const s = new RuntimeSettings(defaultConfig());
  const seen: number[] = [];
  s.onChange((o) => seen.push(o.maxRequestDataInFlightPerIpBytes));
  s.set('native_transport_max_request_data_in_flight_per_ip', '16MiB');
  s.set('native_transport_rate_limiting_enabled', 'true');
  s.set('native_transport_max_requests_per_second', '500');
  assert.deepEqual(seen, [16 * 1024 * 1024, 16 * 1024 * 1024, 16 * 1024 * 1024]);
  assert.equal(s.overload().rateLimitingEnabled, true);
  assert.equal(s.overload().maxRequestsPerSecond, 500);
  const rows = new Map(s.rows());
  assert.equal(rows.get('native_transport_max_request_data_in_flight_per_ip'), String(16 * 1024 * 1024));
  assert.equal(rows.get('native_transport_rate_limiting_enabled'), 'true');
  assert.equal(rows.get('cluster_name'), 'Test Cluster');
  assert.equal(rows.get('audit_logging_options_enabled'), 'false');
});

test('runtime settings: unknown keys and bad values are ConfigErrors naming the key', () => {
  const s = new RuntimeSettings(defaultConfig());
  const cases: Array<[string, string, RegExp]> = [
    ['cluster_name', 'x', /cannot be changed at runtime/],
    ['native_transport_rate_limiting_enabled', 'maybe', /not a boolean/],
    ['native_transport_max_requests_per_second', '0', /out of range/],
    ['native_transport_max_request_data_in_flight', '12 parsecs', /not a number/],
  ];
  for (const [key, value, re] of cases) assert.throws(() => s.set(key, value), (e: unknown) => e instanceof ConfigError && re.test(e.message) && e.message.includes(key));
});
