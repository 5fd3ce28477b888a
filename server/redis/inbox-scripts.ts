import { LuaScript } from './lua-script.js';

/*
 * Per user (hash tag = the user id, URI-encoded so no `{` or `}` can end it):
 *   inbox:{user}:meta     hash  last (id counter), total, unseen, unread (counts of items neither
 *                               archived nor snoozed), g:<group key> → the group's latest item id
 *   inbox:{user}:ids      zset  item id → id, to walk newest first and "all up to an id"
 *   inbox:{user}:items    hash  item id → {"id","time",…the notification's fields} as stored, never decoded in Lua
 *   inbox:{user}:flags    hash  item id → four characters seen, read, archived, snoozed ('0' / '1';
 *                               items stored before snoozing existed have three: not snoozed)
 *   inbox:{user}:extra    hash  g<id> → group {"key","count","actors"}, r<id> → action result JSON,
 *                               c<id> → "<claim token> <lease end ms>" while an action runs
 *   inbox:{user}:snoozed  zset  item id → the time it comes back
 *   inbox:{user}:prefs    hash  enabled → '0' / '1', c:<category> → inbox, toast, push ('0' / '1')
 * and one key for all users, inbox-snoozes, a zset of "<user> <id>" → the time
 * it comes back (or, while a process wakes it, the end of that process's
 * lease), which every process polls. The counts change in the same script as
 * the flags and items they count, so they always agree with the items however
 * many processes write at once.
 */

/** KEYS of the per-user scripts, in this order. */
export const INBOX_USER_KEYS = ['meta', 'ids', 'items', 'flags', 'extra', 'snoozed'] as const;

/** Helpers shared by the scripts (KEYS as INBOX_USER_KEYS). */
const COMMON = `
local function hidden(flags)
  return string.sub(flags, 3, 3) == '1' or string.sub(flags, 4, 4) == '1'
end
local function count(flags, by)
  if hidden(flags) then return end
  redis.call('HINCRBY', KEYS[1], 'total', by)
  if string.sub(flags, 1, 1) == '0' then redis.call('HINCRBY', KEYS[1], 'unseen', by) end
  if string.sub(flags, 2, 2) == '0' then redis.call('HINCRBY', KEYS[1], 'unread', by) end
end
local function group_key(id)
  local group = redis.call('HGET', KEYS[5], 'g' .. id)
  if not group then return nil, nil end
  return cjson.decode(group).key, group
end
-- Removes an item and its counts; lets go of its group key when the key still names it.
local function drop(id)
  local flags = redis.call('HGET', KEYS[4], id)
  if flags then count(flags, -1) end
  local key = group_key(id)
  if key and redis.call('HGET', KEYS[1], 'g:' .. key) == tostring(id) then redis.call('HDEL', KEYS[1], 'g:' .. key) end
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[5], 'g' .. id, 'r' .. id, 'c' .. id)
  redis.call('ZREM', KEYS[6], id)
end
local function store(id, time, rest)
  redis.call('ZADD', KEYS[2], id, id)
  redis.call('HSET', KEYS[3], id, '{"id":' .. id .. ',"time":' .. time .. ',' .. rest .. '}')
  redis.call('HSET', KEYS[4], id, '0000')
  count('0000', 1)
end
-- The item's fields but id and time, as stored (items from before rich fields end with "time").
local function rest_of(json)
  local rest = string.match(json, '^{"id":%d+,"time":%d+,(.*)}$')
  if rest then return rest end
  rest = string.match(json, '^{"id":%d+,(.*),"time":%d+}$')
  return rest
end
`;

/**
 * KEYS as INBOX_USER_KEYS. ARGV: the notification's fields as JSON members
 * without braces (no id, time), time, most items, ttl ms, group key ('' for
 * none), actor ('' for none), most actors. Returns { id, id replaced or 0,
 * group JSON or '' }; the oldest items past the cap are dropped with their counts.
 */
export const INBOX_ADD = new LuaScript(`${COMMON}
local replaces = 0
local group = nil
if ARGV[5] ~= '' then
  local previous = { count = 0, actors = {} }
  local old = redis.call('HGET', KEYS[1], 'g:' .. ARGV[5])
  if old then
    local flags = redis.call('HGET', KEYS[4], old)
    if flags and string.sub(flags, 2, 2) == '0' and not hidden(flags) then
      local _, json = group_key(old)
      if json then previous = cjson.decode(json) end
      replaces = tonumber(old)
      drop(old)
    end
  end
  local actors = {}
  if ARGV[6] ~= '' then actors[1] = ARGV[6] end
  if type(previous.actors) == 'table' then
    for _, actor in ipairs(previous.actors) do
      if #actors >= tonumber(ARGV[7]) then break end
      if actor ~= ARGV[6] then actors[#actors + 1] = actor end
    end
  end
  group = { key = ARGV[5], count = previous.count + 1, actors = actors }
end
local id = redis.call('HINCRBY', KEYS[1], 'last', 1)
store(id, ARGV[2], ARGV[1])
local group_json = ''
if group then
  group_json = cjson.encode(group)
  redis.call('HSET', KEYS[5], 'g' .. id, group_json)
  redis.call('HSET', KEYS[1], 'g:' .. ARGV[5], id)
end
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if over > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEYS[2], 0, over - 1)) do drop(old) end
end
-- An inbox nobody writes to for the TTL goes, counter and all: ids then start again at 1.
for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
return { id, replaces, group_json }
`);

/**
 * KEYS as INBOX_USER_KEYS. ARGV: 'upTo' or 'ids', the id or ids (comma-separated),
 * then seen, read, archived each '1', '0' or '' (unchanged). Snoozed items are
 * left as they are. Returns how many items changed.
 */
export const INBOX_UPDATE = new LuaScript(`${COMMON}
local targets
if ARGV[1] == 'upTo' then
  targets = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
else
  targets = {}
  for id in string.gmatch(ARGV[2], '[^,]+') do targets[#targets + 1] = id end
end
local changed = 0
for _, id in ipairs(targets) do
  local old = redis.call('HGET', KEYS[4], id)
  if old and string.sub(old, 4, 4) ~= '1' then
    local new = ''
    for i = 1, 3 do
      local set = ARGV[2 + i]
      if set == '' then new = new .. string.sub(old, i, i) else new = new .. set end
    end
    new = new .. '0'
    if string.sub(new, 1, 3) ~= string.sub(old, 1, 3) then
      count(old, -1)
      count(new, 1)
      redis.call('HSET', KEYS[4], id, new)
      changed = changed + 1
    end
  end
end
return changed
`);

/** One item's parts: flags, item JSON, group JSON or '', result JSON or '', snoozed until or ''. */
const PARTS = `
local function parts(id, reply)
  reply[#reply + 1] = redis.call('HGET', KEYS[4], id)
  reply[#reply + 1] = redis.call('HGET', KEYS[3], id)
  reply[#reply + 1] = redis.call('HGET', KEYS[5], 'g' .. id) or ''
  reply[#reply + 1] = redis.call('HGET', KEYS[5], 'r' .. id) or ''
  reply[#reply + 1] = redis.call('ZSCORE', KEYS[6], id) or ''
end
`;

/**
 * KEYS as INBOX_USER_KEYS. ARGV: filter ('all', 'unread', 'archived', 'snoozed'), before id ('' for none), limit.
 * Returns { 1 when an older item of the filter remains else 0, then each item's PARTS } newest first.
 */
export const INBOX_LIST = new LuaScript(`${PARTS}
local function wanted(flags)
  local snoozed = string.sub(flags, 4, 4) == '1'
  if ARGV[1] == 'snoozed' then return snoozed end
  if snoozed then return false end
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
for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', KEYS[2], top, '-inf')) do
  local flags = redis.call('HGET', KEYS[4], id)
  if flags and wanted(flags) then
    if #page >= limit then more = 1 break end
    page[#page + 1] = id
  end
end
local reply = { more }
for _, id in ipairs(page) do parts(id, reply) end
return reply
`);

/** KEYS as INBOX_USER_KEYS. ARGV: id. Returns the item's PARTS, or an empty list. */
export const INBOX_GET = new LuaScript(`${PARTS}
if not redis.call('HGET', KEYS[4], ARGV[1]) then return {} end
local reply = {}
parts(ARGV[1], reply)
return reply
`);

/** The extra hash, when a script made it, goes with the rest of the inbox (meta's TTL). */
const SAME_TTL = `
local inbox_ttl = redis.call('PTTL', KEYS[1])
if inbox_ttl > 0 and redis.call('PTTL', KEYS[5]) == -1 then redis.call('PEXPIRE', KEYS[5], inbox_ttl) end
`;

/**
 * KEYS as INBOX_USER_KEYS. ARGV: id, claim token, lease end, now.
 * Returns 'missing', 'done', 'running' or 'claimed' (the claim is then the token's until the lease ends).
 */
export const INBOX_CLAIM_ACTION = new LuaScript(`
local flags = redis.call('HGET', KEYS[4], ARGV[1])
if not flags or string.sub(flags, 3, 3) == '1' or string.sub(flags, 4, 4) == '1' then return 'missing' end
if redis.call('HEXISTS', KEYS[5], 'r' .. ARGV[1]) == 1 then return 'done' end
local claim = redis.call('HGET', KEYS[5], 'c' .. ARGV[1])
if claim then
  local token, ends = string.match(claim, '^(%S+) (%d+)$')
  if token ~= ARGV[2] and tonumber(ends) > tonumber(ARGV[4]) then return 'running' end
end
redis.call('HSET', KEYS[5], 'c' .. ARGV[1], ARGV[2] .. ' ' .. ARGV[3])
${SAME_TTL}
return 'claimed'
`);

/**
 * KEYS as INBOX_USER_KEYS. ARGV: id, claim token, result JSON ('' to let go).
 * Returns 1 when the claim was the token's (and is now ended), else 0.
 */
export const INBOX_FINISH_ACTION = new LuaScript(`
local claim = redis.call('HGET', KEYS[5], 'c' .. ARGV[1])
if not claim or string.match(claim, '^(%S+) ') ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[5], 'c' .. ARGV[1])
if ARGV[3] ~= '' and redis.call('HEXISTS', KEYS[4], ARGV[1]) == 1 then redis.call('HSET', KEYS[5], 'r' .. ARGV[1], ARGV[3]) end
${SAME_TTL}
return 1
`);

/**
 * KEYS as INBOX_USER_KEYS. ARGV: until, how long the keys must live at
 * least (ms), then ids. Hides items not archived (moves the time of ones
 * snoozed). Returns the ids snoozed.
 */
export const INBOX_SNOOZE = new LuaScript(`${COMMON}
local snoozed = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local flags = redis.call('HGET', KEYS[4], id)
  if flags and string.sub(flags, 3, 3) == '0' then
    if string.sub(flags, 4, 4) ~= '1' then
      count(flags, -1)
      redis.call('HSET', KEYS[4], id, string.sub(flags, 1, 3) .. '1')
    end
    redis.call('ZADD', KEYS[6], ARGV[1], id)
    snoozed[#snoozed + 1] = id
  end
end
-- A snooze past the inbox's TTL keeps the inbox until it has come back and been seen.
if #snoozed > 0 then
  for i = 1, #KEYS do
    local left = redis.call('PTTL', KEYS[i])
    if left == -1 or (left >= 0 and left < tonumber(ARGV[2])) then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
  end
end
return snoozed
`);

/**
 * KEYS as INBOX_USER_KEYS. ARGV: id, now. Brings the item back when its
 * snooze ended: a new id, unread and unseen, time now. Returns { 0 } when
 * it is not snoozed (gone, or back already), { 1, until } when it comes back
 * later, { 2, new id, item JSON, group JSON or '', result JSON or '' }.
 */
export const INBOX_WAKE = new LuaScript(`${COMMON}
local id = ARGV[1]
local until_ms = redis.call('ZSCORE', KEYS[6], id)
if not until_ms then return { 0 } end
if tonumber(until_ms) > tonumber(ARGV[2]) then return { 1, until_ms } end
local json = redis.call('HGET', KEYS[3], id)
local rest = json and rest_of(json)
if not rest then
  drop(id)
  return { 0 }
end
local key, group = group_key(id)
local owned = key and redis.call('HGET', KEYS[1], 'g:' .. key) == id
local result = redis.call('HGET', KEYS[5], 'r' .. id) or ''
drop(id)
local new = redis.call('HINCRBY', KEYS[1], 'last', 1)
store(new, ARGV[2], rest)
if group then redis.call('HSET', KEYS[5], 'g' .. new, group) end
if owned then redis.call('HSET', KEYS[1], 'g:' .. key, new) end
if result ~= '' then redis.call('HSET', KEYS[5], 'r' .. new, result) end
return { 2, new, redis.call('HGET', KEYS[3], new), group or '', result }
`);

/**
 * KEYS: inbox-snoozes. ARGV: now, lease end, limit. Takes the snoozes due:
 * each gets the lease end as its time, so no other process takes it while
 * this one wakes it, and one that died leaves it to be taken again.
 */
export const INBOX_TAKE_DUE = new LuaScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], member) end
return due
`);

/**
 * KEYS: prefs. ARGV: most categories, ttl ms, enabled ('1', '0' or '' unchanged),
 * then pairs of category and channels (inbox, toast, push each '1', '0' or '-'
 * unchanged). Returns 1 when something changed, 0 when not, -1 (nothing
 * written) when it would hold more categories than allowed.
 */
export const INBOX_SET_PREFERENCES = new LuaScript(`
local added = 0
for i = 4, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], 'c:' .. ARGV[i]) == 0 then added = added + 1 end
end
local held = redis.call('HLEN', KEYS[1])
if redis.call('HEXISTS', KEYS[1], 'enabled') == 1 then held = held - 1 end
if added > 0 and held + added > tonumber(ARGV[1]) then return -1 end
local changed = 0
if ARGV[3] ~= '' and (redis.call('HGET', KEYS[1], 'enabled') or '1') ~= ARGV[3] then
  redis.call('HSET', KEYS[1], 'enabled', ARGV[3])
  changed = 1
end
for i = 4, #ARGV, 2 do
  local field = 'c:' .. ARGV[i]
  local old = redis.call('HGET', KEYS[1], field)
  local base = old or '111'
  local new = ''
  for c = 1, 3 do
    local set = string.sub(ARGV[i + 1], c, c)
    if set == '-' then new = new .. string.sub(base, c, c) else new = new .. set end
  end
  if new ~= old then
    redis.call('HSET', KEYS[1], field, new)
    changed = 1
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return changed
`);

/**
 * KEYS: prefs. Returns field, value, field, value… as a flat list: the
 * client library turns a plain HGETALL into an object, where a category
 * named "__proto__" would not survive.
 */
export const INBOX_GET_PREFERENCES = new LuaScript(`return redis.call('HGETALL', KEYS[1])`);
