// One session: the terminal filling the window, the toolbar above, the status bar below, and the
// connection that feeds them. Pipe sessions type through a local line editor; PTY sessions send raw
// keystrokes and follow the window's size.
import type { ClientRole, SessionInfo, SessionMode, SignalName, TerminateStage } from '@shellgate/shared';
import { DisposableStore, after, listen, toDisposable } from './disposables.js';
import type { Disposable } from './disposables.js';
import { h } from './dom.js';
import { describeExit } from './format.js';
import { StatusBar } from './status-bar.js';
import { Connection } from './terminal/connection.js';
import type { ConnectionHandlers } from './terminal/connection.js';
import { installKeyboard } from './terminal/keyboard.js';
import { LineEditor } from './terminal/line-editor.js';
import { Screen } from './terminal/screen.js';
import { SearchBar } from './terminal/search-bar.js';
import { createTerminal } from './terminal/xterm.js';
import { Toolbar } from './toolbar.js';
import type { AppContext, View } from './view.js';

const RESIZE_DEBOUNCE_MS = 80;
const encoder = new TextEncoder();

const STAGE_TEXT: Record<TerminateStage, string> = {
  stdin: 'closing stdin',
  SIGHUP: 'sent SIGHUP',
  SIGTERM: 'sent SIGTERM',
  SIGKILL: 'sent SIGKILL',
};

function latin1(data: string): Uint8Array {
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 1) bytes[i] = data.charCodeAt(i) & 0xff;
  return bytes;
}

export function sessionView(ctx: AppContext, sessionId: string, wanted: ClientRole): View {
  const store = new DisposableStore();
  const role: ClientRole = ctx.identity.role === 'operator' ? wanted : 'view';
  const canControl = role === 'control';

  const terminalHost = h('div', { class: 'terminal-host', 'data-testid': 'terminal', 'data-ready': 'false' });
  const setup = store.add(createTerminal(terminalHost, { mode: 'pipe', readOnly: !canControl }));
  const { term, fit, search } = setup;
  const screen = new Screen(term);
  const searchBar = store.add(new SearchBar(term, search));
  const status = store.add(new StatusBar(role));

  let session: SessionInfo | null = null;
  let mode: SessionMode | null = null;
  let editor: LineEditor | null = null;
  let exited = false;
  let connected = false;
  let pendingExit: string | null = null;

  const refresh = (): void => {
    if (session !== null) {
      toolbar.update(session, connected);
      status.setSession(session);
    }
  };

  const notConnected = (): void =>
    status.showError('NOT_CONNECTED', 'not connected to the session; nothing was sent');
  const sendMessage = (...args: Parameters<Connection['send']>): void => {
    if (!connection.send(...args)) notConnected();
  };
  const sendStdin = (bytes: Uint8Array): void => {
    if (exited) return;
    if (!connection.sendStdin(bytes)) notConnected();
  };

  const toolbar = store.add(
    new Toolbar(canControl, {
      signal: (signal: SignalName) => sendMessage({ type: 'signal', signal }),
      closeStdin: () => sendMessage({ type: 'close-stdin' }),
      terminate: () => sendMessage({ type: 'terminate' }),
      find: () => searchBar.open(),
    }),
  );

  // ---- size: fit the window; PTY sessions tell the process, viewers follow the session ----------
  let resizeTimer: Disposable | undefined;
  const sendSize = (): void => {
    if (!canControl || mode !== 'pty' || exited || session === null) return;
    const size = session.size;
    if (size !== null && size.cols === term.cols && size.rows === term.rows) return;
    connection.send({ type: 'resize', cols: term.cols, rows: term.rows });
  };
  const followsSession = (): boolean => !canControl && mode === 'pty';
  const refit = (): void => {
    if (followsSession() || terminalHost.clientWidth === 0) return;
    screen.resize(() => fit.fit());
  };
  const observer = new ResizeObserver(() => refit());
  observer.observe(terminalHost);
  store.add(toDisposable(() => observer.disconnect()));
  store.add(
    term.onResize(() => {
      resizeTimer?.dispose();
      resizeTimer = store.add(after(RESIZE_DEBOUNCE_MS, sendSize));
    }),
  );

  // ---- input ------------------------------------------------------------------------------------
  installKeyboard(term, { openSearch: () => searchBar.open() });
  if (canControl) {
    store.add(
      term.onData((data) => {
        if (exited) return;
        if (editor !== null) editor.handle(data);
        else if (mode === 'pty') sendStdin(encoder.encode(data));
      }),
    );
    store.add(
      term.onBinary((data) => {
        if (mode === 'pty') sendStdin(latin1(data));
      }),
    );
  }

  const startMode = (next: SessionMode): void => {
    if (mode !== null) return;
    mode = next;
    term.options.convertEol = next === 'pipe';
    if (next === 'pipe' && canControl) {
      editor = new LineEditor({
        echo: (text) => screen.echo(text),
        whenSettled: (settled) => screen.whenSettled(settled),
        submit: (text) => sendStdin(encoder.encode(text)),
        interrupt: () => sendMessage({ type: 'signal', signal: 'SIGINT' }),
        quit: () => sendMessage({ type: 'signal', signal: 'SIGQUIT' }),
        endOfInput: () => {
          sendMessage({ type: 'close-stdin' });
        },
      });
      screen.attachEditor(editor);
    }
  };

  const applySession = (next: SessionInfo): void => {
    session = next;
    startMode(next.mode);
    if (
      followsSession() &&
      next.size !== null &&
      (next.size.cols !== term.cols || next.size.rows !== term.rows)
    ) {
      term.resize(next.size.cols, next.size.rows);
    }
    refresh();
  };

  const onExit = (text: string): void => {
    if (exited) return;
    exited = true;
    editor?.close();
    screen.attachEditor(null);
    screen.notice(text);
    // Nothing more will be typed here: no cursor pretending otherwise.
    screen.echo('\x1b[?25l');
  };

  // ---- the stream -------------------------------------------------------------------------------
  const handlers: ConnectionHandlers = {
    hello(message) {
      applySession(message.session);
      if (terminalHost.dataset.ready !== 'true') {
        terminalHost.dataset.ready = 'true';
        performance.mark('shellgate:terminal-ready');
        refit();
        if (!searchBar.isOpen) term.focus();
      }
      sendSize();
      if (message.session.exit !== null) {
        // Attached after the end: the notice waits for the replay (`exit` or the close ends it).
        pendingExit = describeExit(message.session.exit);
      }
    },
    output(kind, bytes, end) {
      screen.output(kind, bytes, () => connection.processed(end));
    },
    snapshot(bytes) {
      screen.snapshot(bytes);
    },
    gap(from, to) {
      screen.notice(`${to - from} bytes of output were lost (offsets ${from}–${to})`, 'warning');
    },
    message(message) {
      switch (message.type) {
        case 'terminating':
          status.setStage(message.stage);
          screen.notice(`terminating: ${STAGE_TEXT[message.stage]}`, 'warning');
          return;
        case 'exit':
          onExit(describeExit(message));
          return;
        case 'session':
          applySession(message.session);
          return;
        case 'error':
          status.showError(message.code, message.message);
          return;
        default: {
          const check: never = message;
          return check;
        }
      }
    },
    state(state, detail) {
      connected = state === 'connected';
      if (state === 'offline' && pendingExit !== null) onExit(pendingExit);
      status.setConnection(state, detail);
      refresh();
    },
    unauthorized() {
      ctx.navigate('#/signin');
    },
  };
  const connection = store.add(new Connection(sessionId, role, handlers));

  store.add(
    listen(window, 'keydown', (event) => {
      if (event.key === 'Escape' && searchBar.isOpen) searchBar.close();
    }),
  );

  const element = h(
    'section',
    { class: 'session-view', 'aria-label': 'Session', 'data-testid': 'session-view', 'data-role': role },
    toolbar.element,
    status.errorElement,
    h('div', { class: 'terminal-frame' }, terminalHost, searchBar.element),
    status.element,
  );
  return {
    element,
    focus: () => term.focus(),
    dispose: () => store.dispose(),
  };
}
