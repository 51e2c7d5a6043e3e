// Rendering of formatted rows as cqlsh prints them. Pure: cells in, lines of text out.
//
// Table form (one page):            Expanded form (EXPAND ON):
//    k | name  | v                    @ Row 1
//   ---+-------+------                -------+-------
//    1 | alice |  10                   k     | 1
//                                      name  | alice
// Header cells are left-aligned, values right-aligned, widths measured in terminal columns
// (East Asian wide characters count 2).

/** Terminal columns taken by `text`: wide (CJK, fullwidth, emoji) code points count 2, combining marks 0. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch.codePointAt(0)!);
  return width;
}

function charWidth(cp: number): number {
  if (cp === 0) return 0;
  if (cp >= 0x300 && cp <= 0x36f) return 0; // combining diacritical marks
  if (cp >= 0x200b && cp <= 0x200f) return 0; // zero-width spaces and marks
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
      (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
      (cp >= 0x20000 && cp <= 0x3fffd)) return 2;
  return 1;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

export interface TableOptions {
  /** Print the header and its rule (first page, or every page in a terminal). */
  withHeader: boolean;
}

/**
 * One page of a result as table lines. With no rows, prints the header and a blank line,
 * as cqlsh does for an empty result.
 */
export function renderTable(columns: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions): string[] {
  const widths = columns.map((c) => displayWidth(c));
  for (const row of rows) {
    row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell)); });
  }
  const lines: string[] = [];
  if (opts.withHeader || rows.length === 0) {
    lines.push((' ' + columns.map((c, i) => padEnd(c, widths[i]!)).join(' | ')).trimEnd());
    lines.push('-' + widths.map((w) => '-'.repeat(w)).join('-+-') + '-');
  }
  if (rows.length === 0) {
    lines.push('');
    return lines;
  }
  for (const row of rows) lines.push(' ' + row.map((cell, i) => padStart(cell, widths[i]!)).join(' | '));
  return lines;
}

/** One page of a result in expanded (vertical) form; rows are numbered from `firstRowNumber`. */
export function renderExpanded(columns: readonly string[], rows: readonly (readonly string[])[], firstRowNumber: number): string[] {
  const nameWidth = Math.max(0, ...columns.map(displayWidth));
  const valueWidth = Math.max(0, ...rows.flatMap((r) => r.map(displayWidth)));
  const lines: string[] = [];
  rows.forEach((row, r) => {
    lines.push(`@ Row ${firstRowNumber + r}`);
    lines.push('-' + '-'.repeat(nameWidth) + '-+-' + '-'.repeat(valueWidth) + '-');
    row.forEach((cell, i) => lines.push(' ' + padEnd(columns[i] ?? '', nameWidth) + ' | ' + cell));
    lines.push('');
  });
  return lines;
}

/** Names laid out in columns to fit `widthMax` terminal columns, filled top to bottom (like Python's cmd.columnize). */
export function columnize(names: readonly string[], widthMax = 80): string[] {
  if (names.length === 0) return ['<empty>'];
  const gap = 2;
  let rowCount = names.length;
  let colWidths: number[] = [Math.max(...names.map(displayWidth))];
  for (let rowsTried = 1; rowsTried <= names.length; rowsTried++) {
    const colCount = Math.ceil(names.length / rowsTried);
    const widths: number[] = [];
    for (let c = 0; c < colCount; c++) {
      const slice = names.slice(c * rowsTried, (c + 1) * rowsTried);
      widths.push(Math.max(0, ...slice.map(displayWidth)));
    }
    if (widths.reduce((a, b) => a + b, 0) + gap * (colCount - 1) <= widthMax) {
      rowCount = rowsTried;
      colWidths = widths;
      break;
    }
  }
  const lines: string[] = [];
  for (let r = 0; r < rowCount; r++) {
    const cells: string[] = [];
    colWidths.forEach((w, c) => {
      const name = names[c * rowCount + r];
      if (name !== undefined) cells.push(padEnd(name, w));
    });
    lines.push(cells.join(' '.repeat(gap)).trimEnd());
  }
  return lines;
}
