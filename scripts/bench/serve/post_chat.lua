-- wrk script: POST /v1/chat with a small message and no session id, so every request creates
-- and stores a new session (the issue's benchmark workload).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"message": "Hello! What is the weather like on the moon today?"}'
