-- wrk script for bench/ballots.py: each request POSTs one ballot of the next voter.
-- BALLOT_VOTERS names the file of "Cookie<TAB>form body" lines (bench/ballot_voters.py),
-- BALLOT_PATH the ballot URL's path, BALLOT_THREADS wrk's -t: thread k takes lines
-- k, k+T, k+2T, ... so no two threads send the same voter at once.
local threads = {}
local made = 0

function setup(thread)
  made = made + 1
  thread:set("first", made)
  table.insert(threads, thread)
end

function init(args)
  voters = {}
  for line in io.lines(os.getenv("BALLOT_VOTERS")) do
    local cookie, body = line:match("^([^\t]*)\t(.*)$")
    if cookie then voters[#voters + 1] = {cookie, body} end
  end
  path = os.getenv("BALLOT_PATH")
  step = tonumber(os.getenv("BALLOT_THREADS"))
  at = first
  saved, refused, limited, other, seen = 0, 0, 0, 0, ""
end

function request()
  local v = voters[at]
  at = at + step
  if at > #voters then at = at - #voters end
  return wrk.format("POST", path, {["Cookie"] = v[1],
    ["Content-Type"] = "application/x-www-form-urlencoded"}, v[2])
end

function response(status, headers, body)
  local where = headers["Location"] or headers["location"] or ""
  if status == 303 and where:find("/ballot/done", 1, true) then
    saved = saved + 1
  elseif status == 422 then
    refused = refused + 1
  elseif status == 429 then
    limited = limited + 1
  else
    other = other + 1
    seen = status .. " " .. where  -- the last odd answer, to say what went wrong
  end
end

function done(summary, latency, requests)
  local s, r, l, o, seen = 0, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    s = s + t:get("saved"); r = r + t:get("refused")
    l = l + t:get("limited"); o = o + t:get("other")
    if t:get("seen") ~= "" then seen = t:get("seen") end
  end
  io.write(string.format("BALLOTS saved=%d refused=%d limited=%d other=%d\n", s, r, l, o))
  if seen ~= "" then io.write("BALLOTS odd answer: " .. seen .. "\n") end
end
