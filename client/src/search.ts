/**
 * The search behind "Search Notes…": queries typed in quick succession are
 * debounced, and only the latest query's answer is shown (an older answer that
 * arrives late is dropped). No `vscode` import: unit-tested under Node.
 */

export interface SearchView<T> {
  /** Asks the server. */
  search(query: string): Promise<T>;
  show(result: T): void;
  fail(error: Error): void;
  busy(busy: boolean): void;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class LatestSearch<T> {
  private generation = 0;
  private timer: unknown;

  constructor(
    private readonly view: SearchView<T>,
    private readonly delayMs = 120,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Searches `query` after `delayMs` unless another query comes first. */
  schedule(query: string): void {
    this.cancel();
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.run(query);
    }, this.delayMs);
  }

  /** Searches `query` now; its answer is shown only if no later search started meanwhile. */
  async run(query: string): Promise<void> {
    const mine = ++this.generation;
    this.view.busy(true);
    try {
      const result = await this.view.search(query);
      if (mine === this.generation) {
        this.view.show(result);
      }
    } catch (err) {
      if (mine === this.generation) {
        this.view.fail(err instanceof Error ? err : new Error(String(err)));
      }
    } finally {
      if (mine === this.generation) {
        this.view.busy(false);
      }
    }
  }

  /** Drops a scheduled search (the picker closed). */
  cancel(): void {
    if (this.timer !== undefined) {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
