"""One request budget per Intercom workspace, shared by every process through Redis.

Intercom splits its per-minute limit into 10-second windows and reports, on each response,
`X-RateLimit-Limit`, `-Remaining` and `-Reset` (INTERCOM.md §6, §11.11-12). The budget mirrors
that window: a process asks for a grant before each call and reports the headers after it, so
every process (API and workers, on any machine) sees one count per workspace. Grants stop when
the window is spent and resume at its reset; a 429 pauses every process until the reset it names.
A share of each window is held back for interactive calls (previews, counts, events), so that a
large sync never starves them.

Why not a rate-limiting library: those (limits, pyrate-limiter, aiolimiter) count our own calls
against a limit we configure; this budget must follow the limit and window Intercom reports,
account for calls made by others on the same workspace (seen only through `Remaining`), and pause
on a 429 until an absolute reset time. Each step is one Lua script, so it is atomic in Redis.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from enum import StrEnum

from redis.asyncio import Redis

DEFAULT_WINDOW_S = 10
# Until Intercom's first answer says otherwise, assume the historic default of 1,000 calls a
# minute (166 per window): safe for any plan (INTERCOM.md §6).
DEFAULT_LIMIT = 166
STATE_TTL_MS = 3_600_000
# Waiting longer than this for a window is the caller's decision (a job defers), not a sleep.
MAX_INLINE_WAIT_S = 15.0

# Grants one call if the window (rolled forward when it has ended) has room above the floor.
# Returns {1, seq} on a grant, {0, wait_s} otherwise.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local h = redis.call('HMGET', KEYS[1], 'reset', 'limit', 'used', 'paused_until')
local reset = tonumber(h[1]) or 0
local limit = tonumber(h[2]) or tonumber(ARGV[1])
local used = tonumber(h[3]) or 0
local paused = tonumber(h[4]) or 0
local window = tonumber(ARGV[2])
local floor = 0
if ARGV[3] ~= '0' then floor = math.min(limit - 1, math.ceil(limit * tonumber(ARGV[3]))) end
if now < paused then
  return {0, tostring(paused - now)}
end
if now >= reset then
  if reset > 0 then
    reset = reset + window * math.ceil((now - reset + 0.000001) / window)
  else
    reset = (math.floor(now / window) + 1) * window
  end
  used = 0
end
if used < limit - floor then
  used = used + 1
  redis.call('HSET', KEYS[1], 'reset', reset, 'limit', limit, 'used', used)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return {1, tostring(used)}
end
redis.call('HSET', KEYS[1], 'reset', reset, 'limit', limit, 'used', used)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {0, tostring(reset - now)}
"""

# Folds one response's headers into the window. ARGV: seq, remaining, reset, limit, is_429,
# ttl. A response of the current window tells how many calls Intercom had counted when
# it arrived: all of ours granted up to `seq`, plus anyone else's.
_OBSERVE = """
local h = redis.call('HMGET', KEYS[1], 'reset', 'limit', 'used')
local reset = tonumber(h[1]) or 0
local used = tonumber(h[3]) or 0
local seq = tonumber(ARGV[1])
local remaining = tonumber(ARGV[2])
local header_reset = tonumber(ARGV[3])
local limit = tonumber(ARGV[4]) or tonumber(h[2])
local is_429 = ARGV[5] == '1'
if limit == nil then return 0 end
if header_reset ~= nil and header_reset > reset then
  -- Intercom is in a newer window than ours: take its boundary and its count.
  reset = header_reset
  used = limit - (remaining or limit)
elseif header_reset == nil or header_reset == reset then
  if remaining ~= nil then
    local counted = limit - remaining
    local ours_after = math.max(0, used - seq)
    used = math.max(used, counted + ours_after)
  end
end
if is_429 then
  used = limit
  local pause = header_reset or reset
  local paused = tonumber(redis.call('HGET', KEYS[1], 'paused_until')) or 0
  if pause > paused then redis.call('HSET', KEYS[1], 'paused_until', pause) end
end
redis.call('HSET', KEYS[1], 'reset', reset, 'limit', limit, 'used', used)
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
"""


class Priority(StrEnum):
    BULK = "bulk"  # paging a workspace: may use the window down to the reserve
    INTERACTIVE = "interactive"  # a person is waiting: may use the reserve too


@dataclass(frozen=True)
class Grant:
    seq: int  # this call's rank among the grants of its window


class BudgetExhausted(Exception):
    def __init__(self, reset_at: float) -> None:
        super().__init__(f"budget exhausted until {reset_at:.0f}")
        self.reset_at = reset_at


class RateBudget:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str,
        interactive_share: float = 0.05,
        window_s: int = DEFAULT_WINDOW_S,
        default_limit: int = DEFAULT_LIMIT,
        max_wait_s: float = MAX_INLINE_WAIT_S,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._interactive_share = interactive_share
        self._window_s = window_s
        self._default_limit = default_limit
        self._max_wait_s = max_wait_s
        self._acquire = redis.register_script(_ACQUIRE)
        self._observe = redis.register_script(_OBSERVE)

    def key(self, workspace: str) -> str:
        return f"{self._prefix}:intercom:budget:{workspace}"

    async def acquire(self, workspace: str, priority: Priority) -> Grant:
        """Waits for a grant in the workspace's current window. A wait longer than `max_wait_s`
        (a 429 far from its reset) raises BudgetExhausted: the caller defers its work instead."""
        share = "0" if priority == Priority.INTERACTIVE else str(self._interactive_share)
        while True:
            granted, value = await self._acquire(
                keys=[self.key(workspace)],
                args=[self._default_limit, self._window_s, share, STATE_TTL_MS],
            )
            if int(granted):
                return Grant(seq=int(value))
            wait = float(value)
            if wait > self._max_wait_s:
                raise BudgetExhausted(time.time() + wait)
            # Jitter, so that the processes waiting for a reset do not all call at its instant.
            await asyncio.sleep(wait + random.uniform(0.02, 0.2))

    async def observe(
        self,
        workspace: str,
        grant: Grant,
        *,
        remaining: int | None,
        reset: float | None,
        limit: int | None,
        rate_limited: bool,
    ) -> None:
        await self._observe(
            keys=[self.key(workspace)],
            args=[
                grant.seq,
                "" if remaining is None else remaining,
                "" if reset is None else reset,
                "" if limit is None else limit,
                "1" if rate_limited else "0",
                STATE_TTL_MS,
            ],
        )
