// The recordings page (#/recordings): what this credential may see, newest first, with play,
// download and — for operators — delete (the gateway allows it to operators with scope "all" and
// says so otherwise).
import { ApiPath } from '@shellgate/shared';
import type { RecordingInfo } from '@shellgate/shared';
import { ApiError, api } from './api.js';
import { confirmed } from './confirm.js';
import { DisposableStore, listen } from './disposables.js';
import { h, replaceChildren } from './dom.js';
import { formatDuration } from './format.js';
import type { AppContext, View } from './view.js';

function errorText(error: unknown): string {
  if (error instanceof ApiError)
    return error.code !== null ? `${error.code}: ${error.message}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function recordingsView(ctx: AppContext): View {
  const store = new DisposableStore();
  const operator = ctx.identity.role === 'operator';
  const status = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'recordings-error' });
  const tbody = h('tbody', { 'data-testid': 'recordings-rows' });
  const empty = h(
    'p',
    { class: 'muted empty', 'data-testid': 'recordings-empty', hidden: true },
    'No recordings.',
  );

  const row = (recording: RecordingInfo): HTMLTableRowElement => {
    const actions = h('td', { class: 'row-actions', 'data-label': 'Actions' });
    actions.append(
      h(
        'a',
        { href: `#/recordings/${encodeURIComponent(recording.id)}`, class: 'button', 'data-testid': 'play' },
        'Play',
      ),
      h(
        'a',
        {
          href: ApiPath.recording(recording.id),
          class: 'button ghost',
          download: `${recording.id}.cast`,
          'data-testid': 'download',
        },
        'Download',
      ),
    );
    if (operator) {
      const remove = h(
        'button',
        {
          type: 'button',
          class: 'danger',
          'data-testid': 'delete',
          'aria-label': `Delete recording of ${recording.profile}`,
        },
        'Delete',
      );
      store.add(
        listen(remove, 'click', () => {
          if (!confirmed(remove)) return;
          remove.disabled = true;
          api.deleteRecording(recording.id).then(
            () => void load(),
            (error: unknown) => {
              remove.disabled = false;
              status.textContent = errorText(error);
            },
          );
        }),
      );
      actions.append(remove);
    }
    const cell = (label: string, text: string): HTMLTableCellElement =>
      h('td', { 'data-label': label }, text);
    return h(
      'tr',
      { 'data-testid': 'recording-row', 'data-recording-id': recording.id },
      cell('Profile', recording.profile),
      cell('Owner', recording.owner),
      cell('Session', recording.session.slice(0, 8)),
      cell('Started', new Date(recording.startedAt).toLocaleString()),
      cell('Duration', `${formatDuration(recording.durationMs)}${recording.active ? ' (recording)' : ''}`),
      cell('Size', formatBytes(recording.bytes)),
      actions,
    );
  };

  const load = async (): Promise<void> => {
    try {
      const recordings = await api.recordings();
      replaceChildren(tbody, ...[...recordings].reverse().map(row));
      empty.hidden = recordings.length > 0;
      table.hidden = recordings.length === 0;
    } catch (error) {
      status.textContent = `Cannot list recordings: ${errorText(error)}`;
    }
  };

  const table = h(
    'table',
    { class: 'sessions', 'data-testid': 'recordings-table' },
    h('caption', { class: 'visually-hidden' }, 'Recordings'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Profile', 'Owner', 'Session', 'Started', 'Duration', 'Size', 'Actions'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    tbody,
  );
  void load();
  const element = h(
    'main',
    { class: 'sessions-page', 'data-testid': 'recordings-view' },
    h('p', {}, h('a', { href: '#/' }, '← Sessions')),
    status,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'recordings-title' },
      h('h2', { id: 'recordings-title' }, 'Recordings'),
      table,
      empty,
    ),
  );
  return { element, dispose: () => store.dispose() };
}
