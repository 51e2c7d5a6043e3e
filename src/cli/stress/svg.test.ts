import test from 'node:test';
import assert from 'node:assert/strict';
import { axisFraction, escapeXml, latencyAxis, niceScale, renderPlot } from './svg.js';

/**
 * A strict checker for the XML subset the plot uses: declaration, elements, attributes in double
 * quotes, text, the five predefined entities. Throws on anything malformed; returns element counts.
 */
export function checkXml(doc: string): Map<string, number> {
  const counts = new Map<string, number>();
  const stack: string[] = [];
  let i = 0;
  const decl = /^<\?xml [^?]*\?>\s*/.exec(doc);
  if (decl) i = decl[0].length;
  const checkText = (text: string) => {
    if (text.includes('<') || text.includes('>')) throw new Error(`raw angle bracket in text: ${text}`);
    for (const m of text.matchAll(/&([^;\s]*);?/g)) {
      if (!['amp', 'lt', 'gt', 'quot', 'apos'].includes(m[1]!) || !m[0].endsWith(';')) throw new Error(`bad entity ${m[0]}`);
    }
  };
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    if (lt < 0) { checkText(doc.slice(i)); if (doc.slice(i).trim()) throw new Error('text after the root'); break; }
    checkText(doc.slice(i, lt));
    const gt = doc.indexOf('>', lt);
    if (gt < 0) throw new Error('unterminated tag');
    const tag = doc.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      if (stack.pop() !== name) throw new Error(`mismatched </${name}>`);
    } else {
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const m = /^([A-Za-z][\w:-]*)((?:\s+[A-Za-z][\w:-]*="[^"<]*")*)\s*$/.exec(body);
      if (!m) throw new Error(`malformed tag <${tag}>`);
      const names = [...m[2]!.matchAll(/([A-Za-z][\w:-]*)=/g)].map((a) => a[1]);
      if (new Set(names).size !== names.length) throw new Error(`duplicate attribute in <${tag}>`);
      for (const a of m[2]!.matchAll(/="([^"]*)"/g)) checkText(a[1]!);
      if (stack.length === 0 && counts.size > 0) throw new Error('second root element');
      counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
      if (!selfClosing) stack.push(m[1]!);
    }
    i = gt + 1;
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  return counts;
}

test('the checker itself rejects malformed XML', () => {
  for (const bad of ['<a><b></a></b>', '<a x="1" x="2"/>', '<a>1 < 2</a>', '<a>&nbsp;</a>', '<a>', '<a/><b/>', '<a x=1/>']) {
    assert.throws(() => checkXml(bad), bad);
  }
  assert.deepEqual([...checkXml('<?xml version="1.0"?>\n<a><b x="&amp;"/>t &lt; u</a>\n')], [['a', 1], ['b', 1]]);
});

test('the plot is well-formed SVG with both panels and escaped labels', () => {
  const curve = [0, 50, 90, 99, 99.9, 100].map((p, i) => ({ percentile: p, latencyMs: 0.5 + i }));
  const svg = renderPlot({
    title: 'run <1> & "quotes"',
    latency: [{ label: 'latency', points: curve }, { label: 'service <time>', points: curve.map((c) => ({ ...c, latencyMs: c.latencyMs / 2 })) }],
    throughput: [{ elapsedS: 1, opsPerSec: 1000 }, { elapsedS: 2, opsPerSec: 1500 }, { elapsedS: 2.5, opsPerSec: 900 }],
  });
  const counts = checkXml(svg);
  assert.equal(counts.get('svg'), 1);
  assert.equal(counts.get('polyline'), 3, 'two latency series and one throughput line');
  assert.ok(svg.includes('run &lt;1&gt; &amp; &quot;quotes&quot;'));
  assert.ok(svg.includes('service &lt;time&gt;'));
  assert.ok(svg.includes('Latency by percentile') && svg.includes('Throughput over time'));
  assert.ok(svg.includes('99.9%') && svg.includes('99.999%'));
  assert.ok(!/NaN|Infinity|undefined/.test(svg));
});

test('an empty run still draws a valid document', () => {
  const svg = renderPlot({ title: 'empty', latency: [{ label: 'latency', points: [] }], throughput: [] });
  checkXml(svg);
  assert.ok(!/NaN|Infinity|undefined/.test(svg));
});

test('escaping and nice scales', () => {
  assert.equal(escapeXml(`<&>"'`), '&lt;&amp;&gt;&quot;&apos;');
  assert.deepEqual(niceScale(0), { top: 1, step: 0.2 });
  assert.deepEqual(niceScale(9.3), { top: 10, step: 2 });
  assert.deepEqual(niceScale(1234), { top: 1250, step: 250 });
});

test('latency axis: linear for a narrow curve, decades for a wide one', () => {
  assert.deepEqual(latencyAxis([0.5, 1, 2, 4]), { kind: 'linear', top: 4, step: 1 });
  const log = latencyAxis([0.8, 18, 187, 4946]);
  assert.deepEqual(log, { kind: 'log', lowExp: -1, highExp: 4 });
  assert.equal(axisFraction(log, 0.1), 0);
  assert.equal(axisFraction(log, 10_000), 1);
  assert.ok(Math.abs(axisFraction(log, 10) - 0.4) < 1e-9);
  assert.equal(axisFraction(log, 0), 0, 'below the axis clamps to the floor');
  assert.deepEqual(latencyAxis([]), { kind: 'linear', top: 1, step: 0.2 });
});

test('a wide curve is drawn on the log axis with decade labels', () => {
  const curve = [0, 50, 90, 99, 99.9, 100].map((p, i) => ({ percentile: p, latencyMs: Math.pow(10, i - 1) }));
  const svg = renderPlot({ title: 't', latency: [{ label: 'latency', points: curve }], throughput: [] });
  checkXml(svg);
  assert.ok(svg.includes('latency (ms, log scale)'));
  for (const label of ['>0.1<', '>1<', '>10<', '>100<', '>1000<', '>10000<']) assert.ok(svg.includes(label), label);
  assert.ok(!/NaN|Infinity|undefined/.test(svg));
});
