/** Rejects with `no answer within <ms> ms` when the promise takes longer. */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: number | null = null;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms) as unknown as number;
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
