import { LuaScript } from './lua-script.js';

/*
 * Per user (hash tag = the user id, URI-encoded so no `{` or `}` can end it):
 *   inbox:{user}:meta   hash  last (id counter), total, unseen, unread (counts of unarchived items)
 *   inbox:{user}:ids    zset  item id → id, to walk newest first and "all up to an id"
 *   inbox:{user}:items  hash  item id → {"id","type","data","time"} as stored, never decoded in Lua
 *   inbox:{user}:flags  hash  item id → three characters seen, read, archived ('0' / '1')
 * The counts change in the same script as the flags and items they count, so
 * they always agree with the items however many processes write at once.
 */

/** Removes one item's share of the counts (or, with -1 swapped for 1, adds it). */
const COUNTS = `
local function count(meta, flags, by)
  if string.sub(flags, 3, 3) == '1' then return end
  redis.call('HINCRBY', meta, 'total', by)
  if string.sub(flags, 1, 1) == '0' then redis.call('HINCRBY', meta, 'unseen', by) end
  if string.sub(flags, 2, 2) == '0' then redis.call('HINCRBY', meta, 'unread', by) end
end
`;

/**
 * KEYS: meta, ids, items, flags. ARGV: type JSON, data JSON, time, most items, ttl ms.
 * Returns the new item's id; the oldest items past the cap are dropped with their counts.
 */
export const INBOX_ADD = new LuaScript(`${COUNTS}
local id = redis.call('HINCRBY', KEYS[1], 'last', 1)
redis.call('ZADD', KEYS[2], id, id)
redis.call('HSET', KEYS[3], id, '{"id":' .. id .. ',"type":' .. ARGV[1] .. ',"data":' .. ARGV[2] .. ',"time":' .. ARGV[3] .. '}')
redis.call('HSET', KEYS[4], id, '000')
count(KEYS[1], '000', 1)
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEYS[2], 0, over - 1)) do
    count(KEYS[1], redis.call('HGET', KEYS[4], old), -1)
    redis.call('ZREM', KEYS[2], old)
    redis.call('HDEL', KEYS[3], old)
    redis.call('HDEL', KEYS[4], old)
  end
end
-- An inbox nobody writes to for the TTL goes, counter and all: ids then start again at 1.
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
return id
`);

/**
 * KEYS: meta, ids, flags. ARGV: 'upTo' or 'ids', the id or ids (comma-separated),
 * then seen, read, archived each '1', '0' or '' (unchanged). Returns how many items changed.
 */
export const INBOX_UPDATE = new LuaScript(`${COUNTS}
local targets
if ARGV[1] == 'upTo' then
  targets = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
else
  targets = {}
  for id in string.gmatch(ARGV[2], '[^,]+') do targets[#targets + 1] = id end
end
local changed = 0
for _, id in ipairs(targets) do
  local old = redis.call('HGET', KEYS[3], id)
  if old then
    local new = ''
    for i = 1, 3 do
      local set = ARGV[2 + i]
      if set == '' then new = new .. string.sub(old, i, i) else new = new .. set end
    end
    if new ~= old then
      count(KEYS[1], old, -1)
      count(KEYS[1], new, 1)
      redis.call('HSET', KEYS[3], id, new)
      changed = changed + 1
    end
  end
end
return changed
`);

/**
 * KEYS: ids, items, flags. ARGV: filter ('all', 'unread', 'archived'), before id ('' for none), limit.
 * Returns { 1 when an older item of the filter remains else 0, flags, item JSON, flags, item JSON… } newest first.
 */
export const INBOX_LIST = new LuaScript(`
local function wanted(flags)
  local archived = string.sub(flags, 3, 3) == '1'
  if ARGV[1] == 'archived' then return archived end
  if archived then return false end
  return ARGV[1] == 'all' or string.sub(flags, 2, 2) == '0'
end
local top = '+inf'
if ARGV[2] ~= '' then top = '(' .. ARGV[2] end
local limit = tonumber(ARGV[3])
local page = {}
local more = 0
for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', KEYS[1], top, '-inf')) do
  local flags = redis.call('HGET', KEYS[3], id)
  if flags and wanted(flags) then
    if #page >= limit then more = 1 break end
    page[#page + 1] = id
  end
end
local reply = { more }
for _, id in ipairs(page) do
  reply[#reply + 1] = redis.call('HGET', KEYS[3], id)
  reply[#reply + 1] = redis.call('HGET', KEYS[2], id)
end
return reply
`);
