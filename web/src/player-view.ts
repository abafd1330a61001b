// One recording played back (#/recordings/<id>): asciinema-player, loaded only here, with speed,
// the idle-time limit and jumps between markers (signals, terminate stages, dropped stretches).
import { ApiError, api } from './api.js';
import { DisposableStore, listen } from './disposables.js';
import { h, replaceChildren } from './dom.js';
import { parseCast } from './recordings/cast.js';
import type { ParsedCast } from './recordings/cast.js';
import type { Player, PlayerOptions } from './recordings/player.js';
import type { View } from './view.js';

const SPEEDS = [0.5, 1, 2, 4, 8];
/** Idle-time limits offered, in seconds; 0 stands for none. */
const IDLE_LIMITS = [0, 1, 2, 5];

function errorText(error: unknown): string {
  if (error instanceof ApiError)
    return error.code !== null ? `${error.code}: ${error.message}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

export function playerView(recordingId: string): View {
  const store = new DisposableStore();
  const status = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'player-error' });
  const host = h('div', { class: 'player-host', 'data-testid': 'player', 'data-ready': 'false' });
  const summary = h('p', { class: 'muted', 'data-testid': 'player-summary' }, 'Loading…');
  const speed = h(
    'select',
    { 'aria-label': 'Playback speed', 'data-testid': 'player-speed' },
    ...SPEEDS.map((s) => h('option', { value: String(s), selected: s === 1 }, `${s}×`)),
  );
  const idle = h(
    'select',
    { 'aria-label': 'Shorten pauses longer than', 'data-testid': 'player-idle' },
    ...IDLE_LIMITS.map((s) =>
      h(
        'option',
        { value: String(s), selected: s === 2 },
        s === 0 ? 'pauses as recorded' : `pauses ≤ ${s} s`,
      ),
    ),
  );
  const previous = h('button', { type: 'button', 'data-testid': 'marker-previous' }, '← Marker');
  const next = h('button', { type: 'button', 'data-testid': 'marker-next' }, 'Marker →');
  const markerList = h('ol', { class: 'marker-list', 'data-testid': 'markers' });
  let player: Player | undefined;
  let cast: ParsedCast | undefined;
  let mount: ((container: HTMLElement, cast: ParsedCast, options: PlayerOptions) => Player) | undefined;

  const options = (autoPlay: boolean): PlayerOptions => {
    const limit = Number(idle.value);
    return { speed: Number(speed.value), idleTimeLimit: limit > 0 ? limit : undefined, autoPlay };
  };
  const start = (autoPlay: boolean): void => {
    if (cast === undefined || mount === undefined) return;
    player?.dispose();
    host.replaceChildren();
    player = mount(host, cast, options(autoPlay));
    player.addEventListener('ended', () => (host.dataset.ended = 'true'));
    player.addEventListener('play', () => delete host.dataset.ended);
    host.dataset.ready = 'true';
  };
  // Speed and the idle limit are fixed when the player is made: a change makes it again.
  store.add(listen(speed, 'change', () => start(true)));
  store.add(listen(idle, 'change', () => start(true)));
  store.add(listen(previous, 'click', () => void player?.seek({ marker: 'prev' })));
  store.add(listen(next, 'click', () => void player?.seek({ marker: 'next' })));

  const load = async (): Promise<void> => {
    try {
      const [text, module] = await Promise.all([
        api.recordingText(recordingId),
        import('./recordings/player.js'),
      ]);
      if (store.isDisposed) return;
      cast = parseCast(text);
      mount = module.mountPlayer;
      const exit =
        cast.exit === null
          ? 'no exit recorded (still recording, or the gateway stopped)'
          : `exit status ${cast.exit}`;
      summary.textContent = `${cast.cols}×${cast.rows}, ${cast.duration.toFixed(1)} s, ${exit}`;
      replaceChildren(
        markerList,
        ...cast.markers.map((marker, index) => {
          const button = h(
            'button',
            { type: 'button', class: 'ghost', 'data-testid': 'marker' },
            `${marker.time.toFixed(1)} s — ${marker.label}`,
          );
          store.add(listen(button, 'click', () => void player?.seek({ marker: index })));
          return h('li', {}, button);
        }),
      );
      start(true);
    } catch (error) {
      summary.textContent = '';
      status.textContent = `Cannot play the recording: ${errorText(error)}`;
    }
  };
  void load();

  const element = h(
    'main',
    { class: 'sessions-page player-page', 'data-testid': 'player-view' },
    h('p', {}, h('a', { href: '#/recordings' }, '← Recordings')),
    status,
    summary,
    h('div', { class: 'player-controls' }, speed, idle, previous, next),
    host,
    h('section', { 'aria-label': 'Markers' }, markerList),
  );
  return {
    element,
    dispose: () => {
      player?.dispose();
      store.dispose();
    },
  };
}
