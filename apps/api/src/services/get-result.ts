import { RequestId, type StatusRecord } from '@openad-async/contracts';

const NOT_FOUND = { error: { reason: 'job does not exist' } };

/**
 * `get_result` answers: always 200, with bodies the OpenAD client keys off (`warning` while
 * running, `error` as an object when failed or unknown). With `request_id` the enhanced status
 * object is returned instead.
 */
export async function getResult(
  read: (id: string) => Promise<StatusRecord | null>,
  ref: { url?: string; request_id?: string },
): Promise<unknown> {
  const enhanced = ref.request_id !== undefined;
  const id = ref.request_id ?? ref.url ?? '';
  // Only a UUID may reach a Redis key or a file path.
  if (!RequestId.safeParse(id).success) return NOT_FOUND;
  const record = await read(id);
  if (!record) return NOT_FOUND;
  if (enhanced) return record;
  switch (record.status) {
    case 'completed':
      return record.result;
    case 'pending':
      return { warning: { reason: 'job is still in the queue' } };
    case 'processing':
      return { warning: { reason: 'job is still running' } };
    case 'failed':
    case 'timeout':
    case 'canceled':
      return { error: { reason: record.error ?? `job ${record.status}`, status: record.status } };
  }
}
