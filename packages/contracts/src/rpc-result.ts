// Expected failures cross RPC as values: Workers RPC keeps an error's message but drops the
// properties of Error subclasses, so AppError's code would not survive being thrown across.
import { AppError, type ErrorCode } from './errors';

export type RpcResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: ErrorCode; message: string } };

/** Callee side: runs the method body; an AppError becomes a failed result, anything else still throws. */
export async function toRpcResult<T>(body: () => Promise<T>): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await body() };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
    throw err;
  }
}

/** Caller side: the value, or the callee's AppError thrown again here. */
export function unwrap<T>(result: RpcResult<T>): T {
  if (result.ok) return result.value;
  throw new AppError(result.error.code, result.error.message);
}
