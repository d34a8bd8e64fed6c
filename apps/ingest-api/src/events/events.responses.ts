import { z } from 'zod';

/** POST /v1/events: each event Kafka acknowledged, in the order sent. */
export const acceptedEventsSchema = z.object({ accepted: z.array(z.object({ eventId: z.string().uuid() }).strict()).min(1) }).strict();
