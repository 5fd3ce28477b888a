import { LuaScript } from './lua-script.js';

/*
 * Each channel has two keys, both with the channel in a hash tag so they sit
 * in one cluster slot and one script can touch both:
 *   {channel}:meta  hash  epoch, seq   (never expires: positions stay valid)
 *   {channel}:log   stream of entries with id 0-<seq>, fields e (event JSON) and t (ms)
 * Stream ids are 0-<seq>, so "after seq N" is the range (0-N, +] and seq order
 * is stream order by construction.
 */

/** A new epoch starts a new history: a log left from an older epoch (meta lost) must not be read as this one. */
const ENSURE_EPOCH = `
if redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], 'seq', 0)
  redis.call('DEL', KEYS[2])
end
local epoch = redis.call('HGET', KEYS[1], 'epoch')
`;

/**
 * Stores one event and announces it, atomically: seq from HINCRBY, the
 * envelope JSON built once here (the id and time are only known here) and
 * both stored and published as that one string.
 * ARGV: candidate epoch, channel JSON, type JSON, data JSON, max length, max age ms, pub/sub channel, PUBLISH or SPUBLISH.
 */
export const PUBLISH = new LuaScript(`${ENSURE_EPOCH}
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local json = '{"id":"' .. epoch .. '-' .. seq .. '","channel":' .. ARGV[2] .. ',"type":' .. ARGV[3] .. ',"data":' .. ARGV[4] .. ',"time":' .. now .. '}'
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[5], '0-' .. seq, 'e', json, 't', now)
-- Age bound: drop entries older than max age from the front, at most 64 per publish.
-- The common case reads one entry: the oldest is recent enough.
local cutoff = now - tonumber(ARGV[6])
local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
if oldest and tonumber(oldest[2][4]) < cutoff then
  local keep = nil
  local last = nil
  for _, entry in ipairs(redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 64)) do
    if tonumber(entry[2][4]) >= cutoff then keep = entry[1] break end
    last = entry[1]
  end
  if keep then
    redis.call('XTRIM', KEYS[2], 'MINID', keep)
  else
    redis.call('XTRIM', KEYS[2], 'MINID', '0-' .. (tonumber(string.match(last, '-(%d+)$')) + 1))
  end
end
-- A channel nobody publishes to loses its history after max age; its meta (and so its positions) stays.
redis.call('PEXPIRE', KEYS[2], ARGV[6])
-- SPUBLISH on a cluster: the message stays on the shard that holds the channel's keys (same hash tag).
redis.call(ARGV[8] or 'PUBLISH', ARGV[7], json)
return json
`);

/**
 * The head of a channel and the events after a position, read together.
 * ARGV: candidate epoch, reader's epoch ('' for none), reader's seq.
 * Returns { epoch, seq, oldest seq held, event JSON... }.
 */
export const READ = new LuaScript(`${ENSURE_EPOCH}
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq'))
local oldest = seq + 1
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if #first > 0 then oldest = tonumber(string.match(first[1][1], '-(%d+)$')) end
local reply = { epoch, seq, oldest }
if ARGV[2] == '' then return reply end
local from = oldest
if ARGV[2] == epoch then from = math.max(tonumber(ARGV[3]) + 1, oldest) end
if from > seq then return reply end
for _, entry in ipairs(redis.call('XRANGE', KEYS[2], '0-' .. from, '+')) do
  reply[#reply + 1] = entry[2][2]
end
return reply
`);
