// asciinema-player behind one function. Only the recordings page imports this module, and only
// dynamically: the player (and its WebAssembly terminal) is a chunk of its own that the sign-in
// page and the live terminal never load.
import 'asciinema-player/dist/bundle/asciinema-player.css';
import { create } from 'asciinema-player';
import type { Player } from 'asciinema-player';
import type { ParsedCast } from './cast.js';

export type { Player };

export interface PlayerOptions {
  speed: number;
  /** Pauses longer than this (seconds) are shortened to it; undefined: played as recorded. */
  idleTimeLimit: number | undefined;
  autoPlay: boolean;
}

export function mountPlayer(container: HTMLElement, cast: ParsedCast, options: PlayerOptions): Player {
  return create(
    {
      // The file was already read and converted (cast.ts): the player gets the events as they are.
      data: () => 'unused',
      parser: () => ({ cols: cast.cols, rows: cast.rows, events: cast.events }),
    },
    container,
    {
      autoPlay: options.autoPlay,
      speed: options.speed,
      ...(options.idleTimeLimit === undefined ? {} : { idleTimeLimit: options.idleTimeLimit }),
      fit: 'width',
      controls: true,
      terminalFontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    },
  );
}
