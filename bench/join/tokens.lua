-- wrk script: GET /j/<token>, cycling through the tokens joinserver wrote
-- (path in $JOIN_TOKENS), so requests hit different invites and rooms.
local tokens = {}
local i = 0
function init(args)
  local f = assert(io.open(os.getenv("JOIN_TOKENS") or "tokens.txt"))
  for line in f:lines() do tokens[#tokens + 1] = line end
  f:close()
  i = math.random(#tokens)
end
function request()
  i = i % #tokens + 1
  return wrk.format("GET", "/j/" .. tokens[i])
end
