import { v5 as uuidv5, v4 as uuidv4 } from 'uuid';

/** Namespace for every id this service derives deterministically. */
const NAMESPACE = '6f1c1f2e-8a57-4c9e-9b7e-2f0a2d6b7c41';

/** A stable id derived from parts: the same parts always give the same id. */
export const deriveId = (...parts: readonly (string | number)[]): string => uuidv5(parts.join('\u001f'), NAMESPACE);

export const newId = (): string => uuidv4();

/**
 * Event ids follow from the command, the stream and the index, so a retried command appends
 * nothing new, while one command writing to two streams still gets distinct ids.
 */
export const eventIdFor = (commandId: string, streamId: string, index: number): string => deriveId('event', commandId, streamId, index);
