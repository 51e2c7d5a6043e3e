// SSTable file naming, component list and sizes. One file per component; see README.md.

export const FORMAT_VERSION = 'ca';

export type Component = 'Data.db' | 'CompressionInfo.db' | 'Index.db' | 'Summary.db' | 'Filter.db' | 'Statistics.db' | 'TOC.txt';

/** Written in this order; TOC.txt last makes the SSTable visible. */
export const COMPONENTS: readonly Component[] = ['Data.db', 'CompressionInfo.db', 'Index.db', 'Summary.db', 'Filter.db', 'Statistics.db', 'TOC.txt'];

export const SUMMARY_INTERVAL = 128; // one summary entry per 128 index entries (min_index_interval)
export const ROW_INDEX_BLOCK_BYTES = 64 * 1024; // a wide partition gets a row index entry per 64 KiB of rows
export const CHUNK_HEADER_BYTES = 5; // method(1) uncompressed length(4)
export const CHUNK_TRAILER_BYTES = 4; // crc32 of header + payload
export const CRC_BYTES = 4;

export function componentFile(dir: string, generation: number, c: Component): string {
  return `${dir}/${FORMAT_VERSION}-${generation}-${c}`;
}

export function parseComponentFile(name: string): { generation: number; component: string } | undefined {
  const m = /^([a-z]{2})-(\d+)-(.+)$/.exec(name);
  return m ? { generation: Number(m[2]), component: m[3]! } : undefined;
}
