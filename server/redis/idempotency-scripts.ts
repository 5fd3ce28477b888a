import { LuaScript } from './lua-script.js';

/*
 * One key per sender and idempotency key: send:<sha256 of both>, a string
 *   {"t":"<claim token>","f":"<fingerprint>"}                 while the first request is being stored
 *   {"t":"<claim token>","f":"<fingerprint>","e":<event>}     once it is
 * set with NX, so exactly one request of all processes stores the send. The
 * reservation lives for the wait a retry allows plus 5 s (a process that died
 * mid-send does not block the key for the whole TTL); the stored event for the TTL.
 * Only the request holding the token may complete or release the claim: a
 * claim that expired and was taken by a later request is not touched.
 */

/** KEYS: key. ARGV: the pending value, the completed value, ttl ms. Stores the event for the key's full TTL. */
export const IDEMPOTENCY_COMPLETE = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`);

/** KEYS: key. ARGV: the pending value. Deletes the claim of a send that failed, so its retry may store it. */
export const IDEMPOTENCY_RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`);
