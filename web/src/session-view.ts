// One session: the terminal filling the window, the toolbar above, the status bar below, and the
// connection that feeds them. Pipe sessions type through a local line editor; PTY sessions send raw
// keystrokes and follow the window's size.
import type { ClientRole, SessionInfo, SessionMode, SignalName, TerminateStage } from '@shellgate/shared';
import { DisposableStore, after, listen } from './disposables.js';
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
import { SettingsPanel } from './settings-panel.js';
import { SharePanel } from './share-panel.js';
import { ExtraKeys } from './terminal/extra-keys.js';
import { onSettingsChange } from './terminal/settings.js';
import { Sizing } from './terminal/sizing.js';
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
  /** Lines this page sent and already shows: their `input` echo from the gateway is not repeated. */
  const ownInput: string[] = [];

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

  // After any toolbar action the keyboard belongs to the terminal again (Find keeps its own box).
  const thenTerminal =
    <A extends unknown[]>(act: (...args: A) => void) =>
    (...args: A): void => {
      act(...args);
      term.focus();
    };
  const toolbar = store.add(
    new Toolbar(canControl, {
      signal: thenTerminal((signal: SignalName) => sendMessage({ type: 'signal', signal })),
      closeStdin: thenTerminal(() => sendMessage({ type: 'close-stdin' })),
      terminate: thenTerminal(() => sendMessage({ type: 'terminate' })),
      find: () => searchBar.open(),
    }),
  );

  // ---- size: pipe sessions fit the window; PTY sessions have the session's size (sizing.ts) -------
  let resizeTimer: Disposable | undefined;
  const sendSize = (): void => {
    const own = sizing.own();
    if (!canControl || mode !== 'pty' || exited || session === null || own === null) return;
    connection.send({ type: 'resize', cols: own.cols, rows: own.rows });
  };
  const sizing = store.add(
    new Sizing(term, fit, terminalHost, {
      canControl,
      refit: (resize) => screen.resize(resize),
      ownSize: () => {
        resizeTimer?.dispose();
        resizeTimer = store.add(after(RESIZE_DEBOUNCE_MS, sendSize));
      },
    }),
  );

  // ---- input ------------------------------------------------------------------------------------
  const announcer = h('div', { class: 'visually-hidden', role: 'status', 'data-testid': 'announcer' });
  installKeyboard(term, {
    openSearch: () => searchBar.open(),
    announce: (text) => (announcer.textContent = text),
  });
  const settingsPanel = store.add(new SettingsPanel());
  toolbar.element.append(settingsPanel.element);
  // Whoever controls the session may share it; a visitor through a link may not pass it on.
  if (ctx.share === undefined && canControl)
    toolbar.element.append(store.add(new SharePanel(sessionId)).element);
  // A link opens this one session: there is no list to go back to.
  if (ctx.share !== undefined) toolbar.element.querySelector('[data-testid="back-to-sessions"]')?.remove();
  store.add(
    onSettingsChange((next) => {
      // A new font size changes how many cells fit; screen-reader mode is worth saying.
      sizing.update();
      announcer.textContent = `Screen reader mode ${next.screenReader ? 'on' : 'off'}, font size ${next.fontSize}`;
    }),
  );
  const extraKeys = store.add(new ExtraKeys(term));
  if (canControl) {
    store.add(
      term.onData((typed) => {
        if (exited) return;
        const data = extraKeys.transform(typed);
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
        submit: (text) => {
          if (exited) return;
          if (connection.sendStdin(encoder.encode(text))) ownInput.push(text);
          else notConnected();
        },
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
    sizing.setSession(next.mode === 'pty', next.size);
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
        sizing.update();
        if (!searchBar.isOpen) term.focus();
      }
      status.clearError();
      sendSize();
      if (message.session.exit !== null) {
        // Attached after the end: the notice waits for the replay (`exit` or the close ends it).
        pendingExit = describeExit(message.session.exit);
      }
    },
    output(kind, bytes, end) {
      screen.output(kind, bytes, () => connection.processed(end));
    },
    input(data) {
      // Typed here and already on screen (the line editor echoed it).
      if (ownInput[0] === data) {
        ownInput.shift();
        return;
      }
      screen.input(data);
      editor?.remember(data);
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
    h(
      'div',
      { class: 'terminal-frame' },
      terminalHost,
      searchBar.element,
      sizing.notice,
      status.errorElement,
    ),
    ...(canControl ? [extraKeys.element] : []),
    announcer,
    status.element,
  );
  return {
    element,
    focus: () => term.focus(),
    keyboardHome: () => term.focus(),
    dispose: () => store.dispose(),
  };
}
