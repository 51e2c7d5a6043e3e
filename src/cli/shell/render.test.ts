import test from 'node:test';
import assert from 'node:assert/strict';
import { columnize, displayWidth, renderExpanded, renderTable } from './render.js';

test('renderTable: header left-aligned, values right-aligned, widths from the widest cell', () => {
  const lines = renderTable(['k', 'name', 'value'], [['1', 'alice', '10'], ['22', 'bo', 'null']], { withHeader: true });
  assert.deepEqual(lines, [
    ' k  | name  | value',
    '----+-------+-------',
    '  1 | alice |    10',
    ' 22 |    bo |  null',
  ]);
});

test('renderTable: without header (later pages when not in a terminal)', () => {
  assert.deepEqual(renderTable(['k'], [['1']], { withHeader: false }), [' 1']);
});

test('renderTable: empty result prints the header and a blank line', () => {
  assert.deepEqual(renderTable(['key', 'v'], [], { withHeader: false }), [' key | v', '-----+---', '']);
});

test('renderTable: wide characters count two columns', () => {
  assert.equal(displayWidth('日本'), 4);
  assert.equal(displayWidth('e\u0301'), 1);
  const lines = renderTable(['v'], [['日本'], ['ab']], { withHeader: true });
  assert.deepEqual(lines, [' v', '------', ' 日本', '   ab']);
});

test('renderExpanded: one block per row, numbered from the given row', () => {
  const lines = renderExpanded(['k', 'longer'], [['1', 'x'], ['2', 'yyyy']], 5);
  assert.deepEqual(lines, [
    '@ Row 5',
    '--------+------',
    ' k      | 1',
    ' longer | x',
    '',
    '@ Row 6',
    '--------+------',
    ' k      | 2',
    ' longer | yyyy',
    '',
  ]);
});

test('columnize fills columns top to bottom within the width', () => {
  assert.deepEqual(columnize(['a', 'bb', 'c'], 80), ['a  bb  c']);
  const names = Array.from({ length: 6 }, (_, i) => `name_${i}`);
  assert.deepEqual(columnize(names, 20), ['name_0  name_3', 'name_1  name_4', 'name_2  name_5']);
  const lines = columnize(names, 20);
  for (const l of lines) assert.ok(displayWidth(l) <= 20, l);
  assert.deepEqual(lines.join(' ').split(/\s+/).filter(Boolean).sort(), names);
  assert.deepEqual(columnize([], 80), ['<empty>']);
});
