import { ApiHeaderOptions } from '@nestjs/swagger';

/** The request headers the API documents on its operations, described once. */
export const IDEMPOTENCY_KEY_HEADER: ApiHeaderOptions = {
  name: 'Idempotency-Key',
  required: false,
  description: 'A retry with the same key returns the first outcome and writes nothing.',
};

/** If-Match on a write to `resource` ("user", "request"). */
export const ifMatchHeader = (resource: string): ApiHeaderOptions => ({
  name: 'If-Match',
  required: false,
  description: `The ETag you displayed; 412 when the ${resource} changed since.`,
});

/** X-Min-Position on a list query; `wait` says how long it waits ("bounded", "up to 5 s"). */
export const minPositionHeader = (wait: string): ApiHeaderOptions => ({
  name: 'X-Min-Position',
  required: false,
  description: `Wait (${wait}) until this write position is reflected.`,
});
