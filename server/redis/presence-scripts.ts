import { LuaScript } from './lua-script.js';

/*
 * Per channel (hash tag = channel):
 *   {channel}:presence          hash  user → {"name","since"}
 *   {channel}:presence:<user>   zset  session → expiry (ms)
 * and one index for the sweep:
 *   presence:expiry             zset  ["channel","user","session"] → expiry
 * Every script reports a join or leave only to the one caller whose change
 * made it, so each is published once however many processes race.
 * The sweep touches keys of many channels. On a Redis Cluster each script
 * may touch one slot only, so there the index is written by commands of its
 * own and each expired session is swept by SWEEP_ONE on its channel's slot.
 */

/** Keys whose sessions all stopped beating disappear by themselves, a TTL after the last expiry. */
const EXTEND = `
local function extend(key, ms)
  local left = redis.call('PTTL', key)
  if left < ms then redis.call('PEXPIRE', key, ms) end
end
`;

/** KEYS: users, sessions, expiry index. ARGV: user, name, session, now, expires, index member, ttl. Returns 1 when the user joined. */
export const TOUCH = new LuaScript(`${EXTEND}
local entry = redis.call('HGET', KEYS[1], ARGV[1])
local since = tonumber(ARGV[4])
if entry then since = cjson.decode(entry).since end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({ name = ARGV[2], since = since }))
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[6])
local keep = tonumber(ARGV[5]) - tonumber(ARGV[4]) + tonumber(ARGV[7])
extend(KEYS[1], keep)
extend(KEYS[2], keep)
if entry then return 0 end
return 1
`);

/** KEYS: users, sessions, expiry index. ARGV: user, session, index member. Returns 1 when it was the user's last session. */
export const LEAVE = new LuaScript(`
if redis.call('ZREM', KEYS[2], ARGV[2]) == 0 then return 0 end
redis.call('ZREM', KEYS[3], ARGV[3])
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])
`);

/** KEYS: expiry index. ARGV: now, key prefix, most sessions per run. Returns channel, user, channel, user… of users gone. */
export const EXPIRE = new LuaScript(`
local now = tonumber(ARGV[1])
local gone = {}
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))) do
  redis.call('ZREM', KEYS[1], member)
  local key = cjson.decode(member)
  local users = ARGV[2] .. '{' .. key[1] .. '}:presence'
  local sessions = users .. ':' .. key[2]
  local expires = redis.call('ZSCORE', sessions, key[3])
  if expires and tonumber(expires) <= now then
    redis.call('ZREM', sessions, key[3])
    if redis.call('ZCARD', sessions) == 0 and redis.call('HDEL', users, key[2]) == 1 then
      gone[#gone + 1] = key[1]
      gone[#gone + 1] = key[2]
    end
  end
end
return gone
`);

/** TOUCH without the index, for a cluster (the index is another slot). KEYS: users, sessions. ARGV: as TOUCH. */
export const TOUCH_IN_SLOT = new LuaScript(`${EXTEND}
local entry = redis.call('HGET', KEYS[1], ARGV[1])
local since = tonumber(ARGV[4])
if entry then since = cjson.decode(entry).since end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({ name = ARGV[2], since = since }))
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[3])
local keep = tonumber(ARGV[5]) - tonumber(ARGV[4]) + tonumber(ARGV[7])
extend(KEYS[1], keep)
extend(KEYS[2], keep)
if entry then return 0 end
return 1
`);

/** LEAVE without the index, for a cluster. KEYS: users, sessions. ARGV: user, session. */
export const LEAVE_IN_SLOT = new LuaScript(`
if redis.call('ZREM', KEYS[2], ARGV[2]) == 0 then return 0 end
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])
`);

/**
 * One expired session of the index, on its channel's slot: removed only if
 * it has not beaten since (its own expiry is past). Returns 1 once, to the
 * one sweeper whose removal made the user leave, however many race.
 * KEYS: users, sessions. ARGV: user, session, now.
 */
export const SWEEP_ONE = new LuaScript(`
local expires = redis.call('ZSCORE', KEYS[2], ARGV[2])
if not expires or tonumber(expires) > tonumber(ARGV[3]) then return 0 end
redis.call('ZREM', KEYS[2], ARGV[2])
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])
`);

/** Drops an index entry only while it is still due: a session that beat meanwhile keeps its entry. KEYS: index. ARGV: member, now. */
export const UNINDEX_IF_DUE = new LuaScript(`
local expires = redis.call('ZSCORE', KEYS[1], ARGV[1])
if expires and tonumber(expires) <= tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
`);
