// The user-mode profile the stress tests share: a time-series table with a compound partition
// key and one named query.

export function eventsProfileYaml(partitions: number, rowsPerPartition: number): string {
  return [
    'keyspace: stress_user',
    'table: events',
    'table_definition: |',
    '  CREATE TABLE events (host text, bucket int, at timestamp, state text, PRIMARY KEY ((host, bucket), at))',
    'columnspec:',
    '  - name: host',
    '    size: fixed(12)',
    '  - name: state',
    '    size: uniform(5..20)',
    `partitions: ${partitions}`,
    `rows_per_partition: fixed(${rowsPerPartition})`,
    'queries:',
    '  byhost:',
    '    cql: SELECT * FROM events WHERE host = ? AND bucket = ?',
    '',
  ].join('\n');
}
