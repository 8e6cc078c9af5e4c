/**
 * An unbounded-by-design but consumer-paced queue turned into an AsyncIterable: the producer pushes, the consumer
 * iterates; `end()` finishes the iteration, `fail(error)` makes the next read throw. Used to hand DIMSE responses
 * (C-FIND pending results, C-MOVE progress) to callers as `for await`.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #waiting: ((r: IteratorResult<T>) => void) | undefined;
  #failWaiting: ((e: unknown) => void) | undefined;
  #done = false;
  #error: unknown;

  push(item: T): void {
    if (this.#done) return;
    if (this.#waiting) {
      const w = this.#waiting;
      this.#clearWaiter();
      w({ value: item, done: false });
    } else {
      this.#items.push(item);
    }
  }

  end(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#waiting) {
      const w = this.#waiting;
      this.#clearWaiter();
      w({ value: undefined, done: true });
    }
  }

  fail(error: unknown): void {
    if (this.#done) return;
    this.#error = error;
    this.#done = true;
    if (this.#failWaiting) {
      const f = this.#failWaiting;
      this.#clearWaiter();
      f(error);
    }
  }

  get done(): boolean {
    return this.#done;
  }

  #clearWaiter(): void {
    this.#waiting = undefined;
    this.#failWaiting = undefined;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#items.length > 0) return Promise.resolve({ value: this.#items.shift()!, done: false });
    if (this.#done) return this.#error !== undefined ? Promise.reject(this.#error) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failWaiting = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.next() };
  }
}
