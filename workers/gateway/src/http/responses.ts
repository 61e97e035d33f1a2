import { AppError, type ErrorEnvelope } from '@mailgrid/contracts';

export function json(data: unknown, status = 200, headers: HeadersInit = {}): Response {
  const response = new Response(JSON.stringify(data), { status, headers });
  response.headers.set('content-type', 'application/json; charset=utf-8');
  return response;
}

/**
 * The one place an error becomes a response: Resend's envelope plus the request id. Anything that
 * is not an AppError is our fault: logged with the request id, answered 500 without internals.
 */
export function errorResponse(err: unknown, requestId: string): Response {
  const error =
    err instanceof AppError
      ? err
      : new AppError(
          'internal_server_error',
          'Something went wrong on our side. Quote the request id if you report it.',
        );
  if (!(err instanceof AppError)) {
    console.error(
      JSON.stringify({
        request_id: requestId,
        error:
          err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
      }),
    );
  }
  const body: ErrorEnvelope = {
    statusCode: error.status,
    name: error.code,
    message: error.message,
    request_id: requestId,
  };
  return json(body, error.status, error.headers);
}
