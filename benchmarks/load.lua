-- The requests of benchmarks/load.py, for wrk. Run by that script, which passes the plan it
-- wrote (a Lua file returning {gets = {...}, saves = {...}, schedule = {...}}) and the number
-- of wrk threads:  wrk ... -s benchmarks/load.lua URL -- PLAN THREADS
--
-- Each thread walks the schedule, a shuffled list of slots in the mix's proportions, from its
-- own starting point. A slot is a prepared GET, or 0: save one of this thread's drafts. A draft
-- belongs to one thread, and is saved again only once its last save answered, with the
-- revision that save made, as one person saving in one tab would: a stale revision would be
-- refused with 409 and count as a failure.

local threads = {}

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

function init(args)
  local plan = dofile(args[1])
  local count = tonumber(args[2])
  gets, schedule = {}, plan.schedule
  for i, get in ipairs(plan.gets) do
    gets[i] = wrk.format("GET", get.path, { Cookie = get.cookie })
  end
  drafts, by_location = {}, {}
  for i, save in ipairs(plan.saves) do
    if (i - 1) % count == number then
      local draft = {
        path = save.path,
        headers = {
          Cookie = save.cookie,
          ["Content-Type"] = "application/x-www-form-urlencoded",
        },
        fields = save.fields,
        revision = save.revision,
        busy = false,
      }
      table.insert(drafts, draft)
      by_location[save.path] = draft
    end
  end
  position = math.floor(#schedule * number / count)
  saved, statuses = 0, {}
end

local function free_draft()
  for _, draft in ipairs(drafts) do
    if not draft.busy then
      return draft
    end
  end
end

function request()
  position = position % #schedule + 1
  local slot = schedule[position]
  if slot == 0 then
    local draft = free_draft()
    if draft then
      draft.busy = true
      saved = saved + 1
      local body = draft.fields .. "&revision=" .. draft.revision
        .. "&summary=Saved+under+load%2C+" .. number .. "-" .. saved
      return wrk.format("POST", draft.path, draft.headers, body)
    end
    -- Every draft of this thread is being saved: the next GET of the schedule instead.
    position = position % #schedule + 1
    slot = schedule[position]
    if slot == 0 then
      slot = 1
    end
  end
  return gets[slot]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  -- A save answers with a redirect to the assessment's page; nothing else redirects there.
  local draft = status == 302 and by_location[headers["Location"]]
  if draft and draft.busy then
    draft.busy = false
    draft.revision = draft.revision + 1
  end
end

function done(summary, latency, requests)
  local statuses = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      statuses[status] = (statuses[status] or 0) + count
    end
  end
  local errors = summary.errors
  io.write(string.format(
    "wrk-summary requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d status=%d "
      .. "p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, errors.connect, errors.read, errors.write,
    errors.timeout, errors.status, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max
  ))
  for status, count in pairs(statuses) do
    io.write(string.format("wrk-status %d %d\n", status, count))
  end
end
