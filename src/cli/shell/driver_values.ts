// How the shell asks the driver to decode collections.
//
// By default the npm driver decodes a CQL map into a plain object, which turns every key into a
// string (a map<timestamp, text> key becomes Date.toString()). The shell passes ShellMap as the
// driver's `encoding.map` so keys keep their type. The driver's own schema parser, which runs on
// the same connections, reads decoded maps as plain objects (`for...in`, `replication['class']`,
// JSON.stringify of `caching`), so a ShellMap also exposes each string key as an own enumerable
// property. Keys named like Map methods are not exposed as properties (they would shadow the
// methods); schema maps never use such keys.

const MAP_METHOD_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Map.prototype));

export class ShellMap<K = unknown, V = unknown> extends Map<K, V> {
  override set(key: K, value: V): this {
    super.set(key, value);
    if (typeof key === 'string' && !MAP_METHOD_NAMES.has(key)) {
      Object.defineProperty(this, key, { value, enumerable: true, configurable: true, writable: true });
    }
    return this;
  }
}
