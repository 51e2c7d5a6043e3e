// Offset → line/column, as ANTLR reports them in Cassandra's messages: line 1-based, column 0-based.

export interface LineColumn {
  line: number;
  column: number;
}

/** Line (1-based) and column (0-based, UTF-16 units) of `offset` in `source`. */
export function lineColumn(source: string, offset: number): LineColumn {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, source.length);
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart };
}
