/**
 * One event's listeners, read once and kept until they change: what a
 * loop needs to call them straight from a batch walk with exactly
 * `emit`'s meaning, without `emit`'s per-call work (argument spread, a
 * copy of the listener array, `'error'` checks).
 *
 * `emit` calls the listeners registered when it starts, so a listener
 * added or removed during a call takes effect at the next one. `get()`
 * hands out such a snapshot (rawListeners() is a fresh array: later
 * changes cannot reach it), and the emitter's own `'newListener'` /
 * `'removeListener'` events drop it, so the next `get()` reads again.
 * Once wrappers stay wrapped (rawListeners), so `once` and
 * `prependOnceListener` remove themselves exactly as under `emit`.
 */
import type { EventEmitter } from 'node:events';

export type Listener = (...args: any[]) => void;

export class ListenerCache {
  readonly #emitter: EventEmitter;
  readonly #event: string;
  #list: Listener[] | null = null;
  readonly #onChange: (added: boolean) => void;
  readonly #added = (event: string | symbol): void => {
    if (event !== this.#event) return;
    this.#list = null;
    this.#onChange(true);
  };
  readonly #removed = (event: string | symbol): void => {
    if (event !== this.#event) return;
    this.#list = null;
    this.#onChange(false);
  };

  /**
   * `onChange(added)`: also told of each change, as the emitter tells
   * it: before the listener is added, after it is removed.
   */
  constructor(emitter: EventEmitter, event: string, onChange: (added: boolean) => void = () => {}) {
    this.#emitter = emitter;
    this.#event = event;
    this.#onChange = onChange;
    this.rewatch();
  }

  /** The listeners now, in call order, as `emit` would call them. */
  get(): Listener[] {
    return this.#list ?? (this.#list = this.#emitter.rawListeners(this.#event) as Listener[]);
  }

  /** Call them as `emit(event, a)` does: `this` is the emitter, a throw stops the rest. */
  call1(a: unknown): void {
    const list = this.get();
    const emitter = this.#emitter;
    if (list.length === 1) list[0].call(emitter, a);
    else for (let i = 0; i < list.length; i++) list[i].call(emitter, a);
  }

  /** Call them as `emit(event, a, b)` does. */
  call2(a: unknown, b: unknown): void {
    const list = this.get();
    const emitter = this.#emitter;
    if (list.length === 1) list[0].call(emitter, a, b);
    else for (let i = 0; i < list.length; i++) list[i].call(emitter, a, b);
  }

  /**
   * Watch the emitter again: after its removeAllListeners(), which
   * removes these watchers too. Owners call it from their override.
   */
  rewatch(): void {
    this.#list = null;
    const e = this.#emitter;
    if (!e.listeners('newListener').includes(this.#added)) e.on('newListener', this.#added);
    if (!e.listeners('removeListener').includes(this.#removed)) e.on('removeListener', this.#removed);
  }
}
