// The session list and the form that starts one. The list refreshes itself; rows are updated in
// place (keyed by session id) so that keyboard focus survives a refresh.
import type { ProfileInfo, SessionInfo } from '@shellgate/shared';
import { ApiError, api } from './api.js';
import { confirmed } from './confirm.js';
import { splitArgs } from './args.js';
import { DisposableStore, every, listen } from './disposables.js';
import { h, replaceChildren } from './dom.js';
import { describeExit, describeState, formatArgv, formatDuration } from './format.js';
import type { AppContext, View } from './view.js';

const REFRESH_MS = 2000;

function errorText(error: unknown): string {
  if (error instanceof ApiError)
    return error.code !== null ? `${error.code}: ${error.message}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** A first guess at the terminal size for a new PTY session; attaching fits it exactly. */
function guessTerminalSize(): { cols: number; rows: number } {
  const cols = Math.floor((window.innerWidth - 24) / 8.5);
  const rows = Math.floor((window.innerHeight - 130) / 16);
  return { cols: Math.min(Math.max(cols, 20), 400), rows: Math.min(Math.max(rows, 5), 200) };
}

interface Row {
  element: HTMLTableRowElement;
  cells: Record<'profile' | 'command' | 'pid' | 'state' | 'exit' | 'age' | 'clients', HTMLTableCellElement>;
  remove: HTMLButtonElement | null;
  session: SessionInfo;
}

export function sessionsView(ctx: AppContext): View {
  const store = new DisposableStore();
  const operator = ctx.identity.role === 'operator';
  const status = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'sessions-error' });
  const tbody = h('tbody', { 'data-testid': 'sessions-rows' });
  const empty = h(
    'p',
    { class: 'muted empty', 'data-testid': 'sessions-empty', hidden: true },
    'No sessions yet.',
  );
  const rows = new Map<string, Row>();
  let profiles: ProfileInfo[] = [];
  let profilesLoaded: Promise<void> = Promise.resolve();

  // ---- start form ---------------------------------------------------------------------------------
  const profileSelect = h('select', { id: 'profile', 'data-testid': 'profile-select', required: true });
  const profileHelp = h('p', { class: 'muted small', id: 'profile-help', 'data-testid': 'profile-help' });
  const argsInput = h('input', {
    id: 'args',
    type: 'text',
    'data-testid': 'args-input',
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: 'this profile takes no arguments',
    disabled: true,
    'aria-describedby': 'args-help',
  });
  const argsHelp = h(
    'p',
    { class: 'muted small', id: 'args-help' },
    'Quote as in a shell: ',
    h('code', {}, "'echo hi; sleep 5'"),
    ' is one argument.',
  );
  const startButton = h(
    'button',
    { type: 'submit', class: 'primary', 'data-testid': 'start-session' },
    'Start',
  );
  // Fleet mode: which node runs it. Shown only when the fleet has more than one node up.
  const nodeSelect = h('select', { id: 'node', 'data-testid': 'node-select' });
  const nodeField = h(
    'div',
    { class: 'field', hidden: true, 'data-testid': 'node-field' },
    h('label', { for: 'node' }, 'Node'),
    nodeSelect,
  );
  const startForm = h(
    'form',
    // novalidate: before the profiles arrive the required select is empty, and the browser's own
    // validation would swallow the submit without a word; the handler below waits for them instead.
    { class: 'card start-form', 'aria-labelledby': 'start-title', novalidate: true },
    h('h2', { id: 'start-title' }, 'Start a session'),
    h('div', { class: 'field' }, h('label', { for: 'profile' }, 'Profile'), profileSelect, profileHelp),
    nodeField,
    h('div', { class: 'field grow' }, h('label', { for: 'args' }, 'Arguments'), argsInput, argsHelp),
    h('div', { class: 'field actions' }, startButton),
  );

  const selectedProfile = (): ProfileInfo | undefined => profiles.find((p) => p.name === profileSelect.value);
  const describeProfile = (): void => {
    const profile = selectedProfile();
    if (profile === undefined) return;
    profileHelp.textContent = `${profile.description ? `${profile.description} — ` : ''}${formatArgv(profile.argv)} (${profile.mode})`;
    argsInput.disabled = !profile.allowArgs;
    argsInput.placeholder = profile.allowArgs
      ? 'arguments appended to the command'
      : 'this profile takes no arguments';
    if (!profile.allowArgs) argsInput.value = '';
  };
  store.add(listen(profileSelect, 'change', describeProfile));
  store.add(
    listen(startForm, 'submit', (event) => {
      event.preventDefault();
      // Enter pressed before the profiles arrived: start once they are there, not never.
      if (profiles.length === 0) {
        startButton.disabled = true;
        void profilesLoaded.then(() => {
          startButton.disabled = false;
          if (profiles.length > 0 && !store.isDisposed) startForm.requestSubmit();
        });
        return;
      }
      const profile = selectedProfile();
      if (profile === undefined) return;
      let args: string[] | undefined;
      try {
        args = profile.allowArgs && argsInput.value.trim() !== '' ? splitArgs(argsInput.value) : undefined;
      } catch (error) {
        status.textContent = `Arguments: ${error instanceof Error ? error.message : String(error)}`;
        return;
      }
      startButton.disabled = true;
      status.textContent = '';
      const size = profile.mode === 'pty' ? guessTerminalSize() : {};
      const node = nodeField.hidden || nodeSelect.value === '' ? {} : { node: nodeSelect.value };
      api
        .createSession({ profile: profile.name, ...(args === undefined ? {} : { args }), ...size, ...node })
        .then(
          (session) => ctx.navigate(`#/sessions/${encodeURIComponent(session.id)}`),
          (error: unknown) => {
            startButton.disabled = false;
            status.textContent = errorText(error);
          },
        );
    }),
  );

  // ---- list ---------------------------------------------------------------------------------------
  const makeRow = (session: SessionInfo): Row => {
    const cell = (label: string): HTMLTableCellElement => h('td', { 'data-label': label });
    const cells = {
      profile: cell('Profile'),
      command: cell('Command'),
      pid: cell('PID'),
      state: cell('State'),
      exit: cell('Exit'),
      age: cell('Age'),
      clients: cell('Clients'),
    };
    const path = `#/sessions/${encodeURIComponent(session.id)}`;
    const actions = h('td', { class: 'row-actions', 'data-label': 'Actions' });
    if (operator) actions.append(h('a', { href: path, class: 'button', 'data-testid': 'attach' }, 'Attach'));
    actions.append(h('a', { href: `${path}/view`, class: 'button ghost', 'data-testid': 'watch' }, 'Watch'));
    let remove: HTMLButtonElement | null = null;
    if (operator) {
      const button = h('button', { type: 'button', class: 'danger', 'data-testid': 'remove' });
      store.add(listen(button, 'click', () => terminate(session.id, button)));
      actions.append(button);
      remove = button;
    }
    const element = h(
      'tr',
      { 'data-testid': 'session-row', 'data-session-id': session.id },
      cells.profile,
      cells.command,
      cells.pid,
      cells.state,
      cells.exit,
      cells.age,
      cells.clients,
      actions,
    );
    return { element, cells, remove, session };
  };

  const fillRow = (row: Row, session: SessionInfo): void => {
    row.session = session;
    row.cells.profile.textContent = session.profile;
    row.cells.command.textContent = formatArgv(session.argv);
    row.cells.command.title = formatArgv(session.argv);
    row.cells.pid.textContent = session.pid === null ? '—' : String(session.pid);
    row.cells.state.textContent = session.state === 'exited' ? 'exited' : describeState(session);
    row.cells.state.dataset.state = session.state;
    row.cells.exit.textContent = session.exit === null ? '—' : describeExit(session.exit);
    row.cells.age.textContent = formatDuration(Date.now() - Date.parse(session.startedAt));
    row.cells.clients.textContent = String(session.clients);
    if (row.remove !== null && !row.remove.disabled && row.remove.dataset.confirm !== 'pending') {
      const exited = session.state === 'exited';
      row.remove.textContent = exited ? 'Remove' : 'Terminate';
      row.remove.setAttribute(
        'aria-label',
        `${exited ? 'Remove' : 'Terminate'} ${session.profile} session ${session.pid ?? ''}`.trim(),
      );
    }
  };

  const render = (sessions: SessionInfo[]): void => {
    const seen = new Set<string>();
    // Newest first: the one just started is where the eye goes.
    const ordered = [...sessions].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
    let previous: HTMLTableRowElement | null = null;
    for (const session of ordered) {
      seen.add(session.id);
      let row = rows.get(session.id);
      if (row === undefined) {
        row = makeRow(session);
        rows.set(session.id, row);
      }
      fillRow(row, session);
      const expected: ChildNode | null = previous === null ? tbody.firstChild : previous.nextSibling;
      if (expected !== row.element) tbody.insertBefore(row.element, expected);
      previous = row.element;
    }
    for (const [id, row] of rows) {
      if (!seen.has(id)) {
        row.element.remove();
        rows.delete(id);
      }
    }
    empty.hidden = sessions.length > 0;
    table.hidden = sessions.length === 0;
  };

  const load = async (): Promise<void> => {
    try {
      render(await api.sessions());
      if (status.dataset.source === 'list') status.textContent = '';
    } catch (error) {
      status.dataset.source = 'list';
      status.textContent = `Cannot list sessions: ${errorText(error)}`;
    }
  };

  const terminate = (id: string, button: HTMLButtonElement): void => {
    const exited = rows.get(id)?.session.state === 'exited';
    if (!exited && !confirmed(button)) return;
    button.disabled = true;
    button.textContent = exited ? 'Removing…' : 'Terminating…';
    api.terminate(id).then(
      () => void load(),
      (error: unknown) => {
        button.disabled = false;
        status.textContent = errorText(error);
        void load();
      },
    );
  };

  store.add(every(REFRESH_MS, () => void load()));
  void load();
  if (operator) {
    // Profiles may differ per node: picking another node lists that node's.
    const loadProfiles = (node?: string): void => {
      profilesLoaded = api.profiles(node).then(
        (list) => {
          profiles = list;
          replaceChildren(
            profileSelect,
            ...list.map((p) => h('option', { value: p.name }, `${p.name} (${p.mode})`)),
          );
          describeProfile();
        },
        (error: unknown) => {
          status.textContent = `Cannot load profiles: ${errorText(error)}`;
        },
      );
    };
    loadProfiles();
    store.add(listen(nodeSelect, 'change', () => loadProfiles(nodeSelect.value)));
    api.nodes().then(
      (nodes) => {
        const up = nodes.filter((node) => node.state === 'up');
        if (up.length < 2 || store.isDisposed) return;
        replaceChildren(
          nodeSelect,
          ...up.map((node) =>
            h(
              'option',
              { value: node.name, ...(node.self ? { selected: true } : {}) },
              node.self ? `${node.name} (this one)` : node.name,
            ),
          ),
        );
        nodeField.hidden = false;
      },
      // Not a fleet, or its database is away: the form starts sessions here, as always.
      () => undefined,
    );
  }

  const table = h(
    'table',
    { class: 'sessions', 'data-testid': 'sessions-table' },
    h('caption', { class: 'visually-hidden' }, 'Sessions'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Profile', 'Command', 'PID', 'State', 'Exit', 'Age', 'Clients', 'Actions'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    tbody,
  );
  const element = h(
    'main',
    { class: 'sessions-page', 'data-testid': 'sessions-view' },
    operator
      ? startForm
      : h('p', { class: 'muted' }, 'Viewers can watch sessions but not start or control them.'),
    status,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'sessions-title' },
      h('h2', { id: 'sessions-title' }, 'Sessions'),
      table,
      empty,
    ),
  );
  return {
    element,
    focus: () => (operator ? profileSelect.focus() : undefined),
    dispose: () => store.dispose(),
  };
}
