import test from 'node:test';
import assert from 'node:assert/strict';
import { parseClusterArgs, UsageError, START_TIMEOUT_S_DEFAULT, STOP_TIMEOUT_S_DEFAULT } from './args.js';

test('args: every command parses to its value', () => {
  const cases: Array<{ argv: string[]; want: unknown }> = [
    { argv: [], want: { command: { kind: 'help' } } },
    { argv: ['--help'], want: { command: { kind: 'help' } } },
    { argv: ['create', 'c1', '-n', '3'], want: { command: { kind: 'create', name: 'c1', nodes: 3, dcs: 1, racks: 1,
      ports: { native: 9042, storage: 7000, admin: 7199 }, firstAddress: '127.0.0.1', settings: [], start: false, timeoutS: START_TIMEOUT_S_DEFAULT } } },
    { argv: ['create', 'c1', '-n=6', '--dcs', '2', '--racks=3', '--rf', 'datacenter1:2', '--base-port', '20600', '--admin-port', '20699',
      '--set', 'num_tokens=4', '--set', 'commitlog_sync=batch', '--start', '--timeout', '10', '--first-address', '127.0.0.4', '--dir', '/tmp/x'],
      want: { dir: '/tmp/x', command: { kind: 'create', name: 'c1', nodes: 6, dcs: 2, racks: 3, rf: 'datacenter1:2',
        ports: { native: 20600, storage: 20601, admin: 20699 }, firstAddress: '127.0.0.4',
        settings: [['num_tokens', '4'], ['commitlog_sync', 'batch']], start: true, timeoutS: 10 } } },
    { argv: ['start'], want: { command: { kind: 'start', timeoutS: START_TIMEOUT_S_DEFAULT } } },
    { argv: ['start', 'c2', '--timeout', '5'], want: { command: { kind: 'start', name: 'c2', timeoutS: 5 } } },
    { argv: ['stop', 'c2'], want: { command: { kind: 'stop', name: 'c2', timeoutS: STOP_TIMEOUT_S_DEFAULT } } },
    { argv: ['status', '--json'], want: { command: { kind: 'status', json: true } } },
    { argv: ['node', 'node2', 'kill'], want: { command: { kind: 'node', node: 'node2', action: 'kill', timeoutS: STOP_TIMEOUT_S_DEFAULT } } },
    { argv: ['node', 'node2', 'start', '-c', 'c9'], want: { command: { kind: 'node', node: 'node2', action: 'start', cluster: 'c9', timeoutS: START_TIMEOUT_S_DEFAULT } } },
    { argv: ['node', 'node1', 'pause'], want: { command: { kind: 'node', node: 'node1', action: 'pause', timeoutS: STOP_TIMEOUT_S_DEFAULT } } },
    { argv: ['remove', 'c1'], want: { command: { kind: 'remove', name: 'c1', timeoutS: STOP_TIMEOUT_S_DEFAULT } } },
    { argv: ['list'], want: { command: { kind: 'list' } } },
    { argv: ['switch', 'c1'], want: { command: { kind: 'switch', name: 'c1' } } },
  ];
  for (const { argv, want } of cases) assert.deepEqual(parseClusterArgs(argv), want, argv.join(' '));
});

test('args: usage errors name the problem', () => {
  const cases: Array<{ argv: string[]; match: RegExp }> = [
    { argv: ['frobnicate'], match: /unknown command 'frobnicate'/ },
    { argv: ['create', 'c1'], match: /needs -n N/ },
    { argv: ['create', '-n', '3'], match: /exactly one cluster NAME/ },
    { argv: ['create', 'c1', '-n', 'three'], match: /-n: 'three' is not a whole number/ },
    { argv: ['create', 'c1', '-n'], match: /-n needs a value/ },
    { argv: ['create', 'c1', '-n', '3', '--set', 'oops'], match: /--set 'oops'/ },
    { argv: ['create', 'c1', '-n', '3', '--bogus'], match: /unknown option '--bogus'/ },
    { argv: ['status', '--timeout', '3'], match: /'status' does not take --timeout/ },
    { argv: ['start', 'a', 'b'], match: /unexpected argument 'b'/ },
    { argv: ['node', 'node1'], match: /expected NODE and ACTION/ },
    { argv: ['node', 'node1', 'explode'], match: /unknown node action 'explode'/ },
    { argv: ['stop', '--timeout', '0'], match: /--timeout: 0/ },
    { argv: ['remove'], match: /missing cluster NAME/ },
    { argv: ['list', '--start'], match: /'list' does not take --start/ },
  ];
  for (const { argv, match } of cases) {
    assert.throws(() => parseClusterArgs(argv), (e: unknown) => e instanceof UsageError && match.test(e.message), argv.join(' '));
  }
});
