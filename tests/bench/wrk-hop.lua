-- wrk: each request carries its own one-time hop token (TOKENS: a file, one per line) and the txn's
-- origin token (ORIGIN: a file). Threads take disjoint tokens (thread i: i, i+n, i+2n, ...), so no
-- token is sent twice unless the file runs out (then a reused token is denied, and counted as non-2xx).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("TOKENS")) do
    tokens[#tokens + 1] = line
  end
  for line in io.lines(os.getenv("ORIGIN")) do
    origin = line
  end
  stride = tonumber(os.getenv("THREADS"))
  next_token = id + 1
end

function request()
  local token = tokens[((next_token - 1) % #tokens) + 1]
  next_token = next_token + stride
  return wrk.format("GET", "/inventory/reserve", {["Authorization"] = "Bearer " .. token, ["Txn-Token"] = origin})
end
