-- SPDX-License-Identifier: MIT
-- wrk script for bench/run.sh: POST a distinct web form delivery on
-- every request, so each one is a new event committed to the database
-- (a repeated body would only measure the ledger's "duplicate" path).
local n = 0
local thread_id = math.random(1, 1000000)

request = function()
	n = n + 1
	local body = string.format(
		'{"form_name": "Pricing request", "full_name": "Wrk Person %d %d",' ..
		' "email": "wrk.%d.%d@example.com", "company": "Sakura Trading",' ..
		' "message": "Please send a quote for %d seats."}',
		thread_id, n, thread_id, n, n)
	return wrk.format("POST", nil,
		{ ["Content-Type"] = "application/json" }, body)
end
