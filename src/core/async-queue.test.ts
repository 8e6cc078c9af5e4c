import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue.js';

describe('AsyncQueue', () => {
  it('hands items over in order to a waiting or a late consumer, then ends', async () => {
    const q = new AsyncQueue<number>();
    const first = q.next();
    q.push(1);
    q.push(2);
    q.end();
    q.push(3); // ignored after end
    expect(await first).toEqual({ value: 1, done: false });
    const rest: number[] = [];
    for await (const n of q) rest.push(n);
    expect(rest).toEqual([2]);
  });

  it('makes the waiting read fail with the error', async () => {
    const q = new AsyncQueue<number>();
    const waiting = q.next();
    q.fail(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    await expect(q.next()).rejects.toThrow('gone');
  });
});
