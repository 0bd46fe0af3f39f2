import {
  ApiAuthError,
  ApiConflictError,
  ApiNotFoundError,
  ApiRetryLaterError,
  ApiValidationError,
  OpenadApiError,
  errorFromResponse,
} from './errors';

describe('errorFromResponse', () => {
  it('when the service answers 422 with issues, then the error lists them and their fields', () => {
    const err = errorFromResponse(
      422,
      {
        detail: [
          { type: 'custom', loc: ['body', 'parameters', 'property_type'], msg: 'is required' },
        ],
      },
      null,
    );
    expect(err).toBeInstanceOf(ApiValidationError);
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.message).toBe('body.parameters.property_type: is required');
    expect((err as ApiValidationError).issues).toHaveLength(1);
  });

  it.each([
    [404, 'NOT_FOUND', ApiNotFoundError],
    [409, 'ALREADY_FINISHED', ApiConflictError],
    [401, 'UNAUTHORIZED', ApiAuthError],
    [403, 'FORBIDDEN', ApiAuthError],
    [400, 'BAD_REQUEST', OpenadApiError],
    [500, 'INTERNAL', OpenadApiError],
  ])(
    'when the service answers %i with code %s, then the class carries that code',
    (status, code, cls) => {
      const err = errorFromResponse(
        status,
        { detail: { error: 'msg', code, request_id: 'x' } },
        null,
      );
      expect(err).toBeInstanceOf(cls);
      expect(err.code).toBe(code);
      expect(err.status).toBe(status);
      expect(err.message).toBe('msg');
      expect(err.detail).toMatchObject({ request_id: 'x' });
    },
  );

  it('when the queue is full, then the error says when to retry', () => {
    const err = errorFromResponse(503, { detail: { error: 'full', code: 'QUEUE_FULL' } }, '5');
    expect(err).toBeInstanceOf(ApiRetryLaterError);
    expect((err as ApiRetryLaterError).retryAfterSeconds).toBe(5);
  });

  it('when a proxy answers with a page instead of JSON, then the code comes from the status', () => {
    const err = errorFromResponse(502, '<html>bad gateway</html>', null);
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toBe('HTTP 502');
  });

  it('when the service sends a code this client does not know, then it is not passed off as known', () => {
    const err = errorFromResponse(418, { detail: { error: 'teapot', code: 'TEAPOT' } }, null);
    expect(err.code).toBe('BAD_RESPONSE');
    expect(err.message).toBe('teapot');
  });
});
