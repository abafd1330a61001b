// Terminal colours for the page's two themes. The ANSI palette keeps contrast on both backgrounds;
// red (stderr) is chosen to stand out from the default foreground without being garish.
import type { ITheme } from '@xterm/xterm';
import type { Theme } from '../theme.js';

const dark: ITheme = {
  background: '#14171c',
  foreground: '#d8dee9',
  cursor: '#e5e9f0',
  cursorAccent: '#14171c',
  selectionBackground: '#3b4a66',
  black: '#1c2028',
  red: '#f07178',
  green: '#a3d977',
  yellow: '#e6c07b',
  blue: '#6cb6ff',
  magenta: '#d3a0f5',
  cyan: '#5fd3d3',
  white: '#d8dee9',
  brightBlack: '#6b7689',
  brightRed: '#ff8f95',
  brightGreen: '#bfef92',
  brightYellow: '#f5d697',
  brightBlue: '#8cc8ff',
  brightMagenta: '#e2bcff',
  brightCyan: '#84e8e8',
  brightWhite: '#ffffff',
};

const light: ITheme = {
  background: '#fbfbfa',
  foreground: '#24292f',
  cursor: '#24292f',
  cursorAccent: '#fbfbfa',
  selectionBackground: '#b6d3f7',
  black: '#24292f',
  red: '#c4232e',
  green: '#1a7f37',
  yellow: '#8a6100',
  blue: '#0a5cc2',
  magenta: '#8250df',
  cyan: '#1b7c83',
  white: '#6e7781',
  brightBlack: '#57606a',
  brightRed: '#a40e26',
  brightGreen: '#116329',
  brightYellow: '#6b4b00',
  brightBlue: '#0550ae',
  brightMagenta: '#6639ba',
  brightCyan: '#115e63',
  brightWhite: '#8c959f',
};

export function terminalTheme(theme: Theme): ITheme {
  return theme === 'dark' ? dark : light;
}

/** Search highlight colours per theme (the search addon wants explicit values). */
export function searchColours(theme: Theme): { match: string; active: string } {
  return theme === 'dark' ? { match: '#5c4d1a', active: '#b3861a' } : { match: '#fff0a8', active: '#ffb938' };
}
