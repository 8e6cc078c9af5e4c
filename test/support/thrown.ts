/**
 * The error `run` throws, for a test to look into: it must be a `type` (any other error is thrown on, so the test
 * fails with it), and a `run` that returns fails the test with "expected a <type>".
 */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}`);
}
