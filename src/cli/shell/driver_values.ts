// How the shell asks the driver to decode collections.
//
// By default the npm driver decodes a CQL map into a plain object, which turns every key into a
// string (a map<timestamp, text> key becomes Date.toString()). The shell passes ShellMap as the
// driver's `encoding.map` so keys keep their type. The driver's own schema parser, which runs on
// the same connections, reads decoded maps as plain objects (`for...in`, `replication['class']`,
// JSON.stringify of `caching`), so a ShellMap also exposes each string key as an own enumerable
// property. Keys named like the Map members that the driver calls on decoded maps (get, forEach,
// ...) are not mirrored, so those keep working; other names are, even `keys` and `values`
// (caching = {'keys': ...}), which then shadow those methods on that one map: callers iterate
// through Map.prototype (see format.ts), never through an instance's own `keys()`.

const PROTECTED_MEMBERS: ReadonlySet<string> = new Set([
  'get', 'set', 'has', 'forEach', 'entries', 'size', 'delete', 'clear', 'constructor', '__proto__',
]);

export class ShellMap<K = unknown, V = unknown> extends Map<K, V> {
  override set(key: K, value: V): this {
    super.set(key, value);
    if (typeof key === 'string' && !PROTECTED_MEMBERS.has(key)) {
      Object.defineProperty(this, key, { value, enumerable: true, configurable: true, writable: true });
    }
    return this;
  }
}
