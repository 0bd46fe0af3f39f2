import { z } from 'zod';

import { Progress, RequestId } from './status';

/**
 * `GET /async/status/:id/events` (Server-Sent Events). Two event names:
 * - `status`: data is the status object at a state change (the first event is the current
 *   state; the last is the terminal record, after which the server closes the stream);
 * - `progress`: data is a {@link ProgressEvent} while processing.
 * Ids are BullMQ event-stream ids (`<ms>-<seq>`), increasing, usable as `Last-Event-ID`.
 */
export const STATUS_EVENT_NAMES = ['status', 'progress'] as const;
export type StatusEventName = (typeof STATUS_EVENT_NAMES)[number];

export const ProgressEvent = z.object({ request_id: RequestId, progress: Progress });
export type ProgressEvent = z.infer<typeof ProgressEvent>;
