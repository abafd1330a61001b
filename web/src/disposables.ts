// Cleanup as data, the xterm.js way: every listener, timer and child view returns a Disposable, and
// a view keeps them in one store so leaving it is a single dispose() call.

export interface Disposable {
  dispose(): void;
}

export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}

export class DisposableStore implements Disposable {
  #items: Disposable[] = [];
  #disposed = false;

  get isDisposed(): boolean {
    return this.#disposed;
  }

  add<T extends Disposable>(item: T): T {
    if (this.#disposed) item.dispose();
    else this.#items.push(item);
    return item;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    // Last in, first out: children go before the things they depend on.
    for (const item of this.#items.reverse()) item.dispose();
    this.#items = [];
  }
}

export function listen<K extends keyof HTMLElementEventMap>(
  target: HTMLElement,
  type: K,
  handler: (event: HTMLElementEventMap[K]) => void,
  options?: AddEventListenerOptions,
): Disposable;
export function listen<K extends keyof WindowEventMap>(
  target: Window,
  type: K,
  handler: (event: WindowEventMap[K]) => void,
  options?: AddEventListenerOptions,
): Disposable;
export function listen(
  target: EventTarget,
  type: string,
  handler: (event: Event) => void,
  options?: AddEventListenerOptions,
): Disposable {
  target.addEventListener(type, handler, options);
  return toDisposable(() => target.removeEventListener(type, handler, options));
}

export function every(ms: number, fn: () => void): Disposable {
  const id = window.setInterval(fn, ms);
  return toDisposable(() => window.clearInterval(id));
}

export function after(ms: number, fn: () => void): Disposable {
  const id = window.setTimeout(fn, ms);
  return toDisposable(() => window.clearTimeout(id));
}
