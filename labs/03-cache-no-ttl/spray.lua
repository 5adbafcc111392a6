-- A mail campaign's clicks, for wrk: each request is a distinct URL (its own utm_id); four in five point to the
-- campaign's 500 products, the rest anywhere in the catalogue. Stops after SPRAY requests (default 50,000).
--   SPRAY=50000 wrk -t1 -c32 -d60s -s labs/03-cache-no-ttl/spray.lua http://127.0.0.1:5381
-- Use one thread (-t1): each wrk thread has its own counter, so two threads would send the same URLs twice.
local total = tonumber(os.getenv("SPRAY") or "50000")
local i = 0

request = function()
  local product
  if i % 5 == 4 then product = 1 + (i * 7919) % 150000 else product = 1 + i % 500 end
  local path = string.format(
    "/api/prices/sku-%06d?currency=EUR&utm_source=newsletter&utm_medium=email&utm_campaign=spring-sale-2025&utm_id=%08d", product, i)
  i = i + 1
  return wrk.format("GET", path)
end

response = function(status, headers, body)
  if i >= total then wrk.thread:stop() end
end
