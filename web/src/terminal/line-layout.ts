// Where the characters of an edited line land on screen once it wraps: the line editor moves the
// cursor by rows and columns relative to where the line starts, as readline and linenoise do,
// because a saved absolute position is wrong as soon as a long line scrolls the terminal.

/** A cell relative to the line's start: `row` 0 is the row the line starts on. */
export interface Cell {
  row: number;
  col: number;
}

export interface LineLayout {
  /** Where each character is drawn; one more entry for the position after the last. */
  readonly cells: readonly Cell[];
  /** The end lands exactly on the right edge: the cursor must be moved to the next row by hand. */
  readonly endsAtEdge: boolean;
}

/**
 * Cell width as xterm.js's default (Unicode 6) tables count it, from Markus Kuhn's wcwidth:
 * combining marks and controls take none, East Asian wide and fullwidth characters two.
 */
export function cellWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
  if (
    (code >= 0x0300 && code <= 0x036f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x20d0 && code <= 0x20ff) ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    (code >= 0xfe20 && code <= 0xfe2f)
  )
    return 0;
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    code === 0x2329 ||
    code === 0x232a ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe10 && code <= 0xfe19) ||
    (code >= 0xfe30 && code <= 0xfe6f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x20000 && code <= 0x3fffd)
  )
    return 2;
  return 1;
}

/**
 * Lays `chars` out from column `startCol` of a `cols`-wide terminal with auto-wrap: a character
 * that does not fit on the row goes to the start of the next one (a wide one leaves the last cell
 * blank, as xterm.js does).
 */
export function layOut(chars: readonly string[], startCol: number, cols: number): LineLayout {
  const cells: Cell[] = [];
  let row = 0;
  let col = startCol;
  for (const char of chars) {
    const width = cellWidth(char);
    if (width > 0 && col + width > cols) {
      row += 1;
      col = 0;
    }
    cells.push({ row, col });
    col += width;
  }
  const endsAtEdge = col >= cols;
  cells.push(endsAtEdge ? { row: row + 1, col: 0 } : { row, col });
  return { cells, endsAtEdge };
}

/** The sequence that moves the cursor from `from` to `to` (both on screen, relative to each other). */
export function moveCursor(from: Cell, to: Cell): string {
  let moves = '';
  if (to.row < from.row) moves += `\x1b[${from.row - to.row}A`;
  if (to.row > from.row) moves += `\x1b[${to.row - from.row}B`;
  // CR then forward: a count of 0 would mean 1, so column 0 is CR alone.
  moves += '\r';
  if (to.col > 0) moves += `\x1b[${to.col}C`;
  return moves;
}
