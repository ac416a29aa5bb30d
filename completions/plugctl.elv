
use builtin;
use str;

set edit:completion:arg-completer[plugctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'plugctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'plugctl'= {
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand tokens 'Count tokens exactly as OpenAI''s tiktoken does, and trim chat histories to a budget'
            cand bench 'Load-test an HTTP endpoint (closed or open loop, streaming chat with --sse), or merge reports with `plugctl bench merge`'
            cand redact 'Redact personal data and secrets in transcripts and logs, losslessly (or --check for them)'
            cand serve 'Run a dev chat-plugin server: sessions, context trimming, OpenAPI and Swagger UI'
            cand login 'Log in to an OpenID Connect provider; the tokens go to the OS keyring'
            cand logout 'Log out: revoke the tokens at the provider and delete them'
            cand auth 'Tokens of the logged-in profile: status, token, refresh, switch'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'plugctl;tokens'= {
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand count 'Count tokens of files or stdin (plain text, or chat transcripts with the prompt formula)'
            cand compress 'Trim a chat transcript to a token budget and write it back in the same format'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'plugctl;tokens;count'= {
            cand --encoding 'Encoding: o200k_base (default), o200k_harmony, cl100k_base, p50k_base, r50k_base'
            cand --model 'Model whose encoding (and chat formula) to use, e.g. gpt-4o, gpt-4, gpt-3.5-turbo, o3'
            cand --format 'How to read the inputs'
            cand --limit 'Fail (exit 3) when any input has more than N tokens'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand --per-message 'Show the tokens of each message of a chat transcript'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;tokens;compress'= {
            cand --max-tokens 'The budget for the whole request: messages, tools and the reserved reply'
            cand --reserve-output 'Tokens to leave free for the model''s answer [default: 0]'
            cand --strategy 'Which messages to keep: last (newest), first (oldest) or middle-out (both ends) [default: last]'
            cand -o 'Write the trimmed transcript to FILE (atomically) instead of stdout'
            cand --out 'Write the trimmed transcript to FILE (atomically) instead of stdout'
            cand --encoding 'Encoding: o200k_base (default), o200k_harmony, cl100k_base, p50k_base, r50k_base'
            cand --model 'Model whose encoding (and chat formula) to use, e.g. gpt-4o, gpt-4, gpt-3.5-turbo, o3'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand --no-pin-system 'Let system and developer messages be dropped like any other'
            cand --partial 'Cut the text of one more message so that the budget is used up'
            cand --explain 'Explain every message''s fate on stderr (a table, or JSON with --output json)'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;tokens;help'= {
            cand count 'Count tokens of files or stdin (plain text, or chat transcripts with the prompt formula)'
            cand compress 'Trim a chat transcript to a token budget and write it back in the same format'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'plugctl;tokens;help;count'= {
        }
        &'plugctl;tokens;help;compress'= {
        }
        &'plugctl;tokens;help;help'= {
        }
        &'plugctl;bench'= {
            cand -c 'Connections, each with one request in flight at a time [default: 50]'
            cand --connections 'Connections, each with one request in flight at a time [default: 50]'
            cand -d 'How long to measure, e.g. 10s, 2m [default: 10s unless -n is given]'
            cand --duration 'How long to measure, e.g. 10s, 2m [default: 10s unless -n is given]'
            cand -n 'Stop after N requests (warm-up not counted); with -d, whichever comes first'
            cand --requests 'Stop after N requests (warm-up not counted); with -d, whichever comes first'
            cand --rate 'Open loop: send R requests per second on a fixed schedule, whatever the server does. Latency counts from each request''s intended send time, so stalls are never hidden'
            cand --arrival 'How open-loop sends are spaced (needs --rate)'
            cand --warmup 'Send for this long first without counting anything (e.g. 2s)'
            cand --ramp 'Grow linearly to the full rate (or number of connections) over this time, from the start'
            cand --timeout 'Give up on a request after this long (counted as a timeout error) [default: 10s]'
            cand --connect-timeout 'Give up opening a connection after this long (counted as a connect error) [default: 3s]'
            cand -m 'HTTP method [default: GET, or POST when there is a body]'
            cand --method 'HTTP method [default: GET, or POST when there is a body]'
            cand -H 'A request header, ''Name: value'' (repeatable)'
            cand --header 'A request header, ''Name: value'' (repeatable)'
            cand --body 'The request body'
            cand --body-file 'Read the request body from FILE'
            cand --json 'A JSON body; also sets Content-Type: application/json'
            cand --body-lines 'Send the lines of a JSONL file in turn, one request body each (e.g. a set of chat requests); sets Content-Type: application/json'
            cand --threads 'Generator threads, each driving its share of the connections [default: 1]'
            cand --fail-if 'Exit 3 when the run breaks this objective (repeatable), e.g. ''p99>200ms'', ''error_rate>1%'', ''rps<500''. Metrics: min mean stddev p50 p90 p95 p99 p99_9 max, ttfb_/ttft_/itl_/tpot_ p50 and p99, error_rate, success_rate, rejected_rate, rps, requests, output_tokens_per_s'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand --no-keepalive 'Open a new connection for every request'
            cand --http2 'Speak HTTP/2: negotiated with ALPN over https://, with prior knowledge (h2c) over http://. One connection per -c, one request in flight on each'
            cand -k 'Accept any TLS certificate (self-signed development servers); the connection is still encrypted'
            cand --insecure 'Accept any TLS certificate (self-signed development servers); the connection is still encrypted'
            cand --sse 'Read text/event-stream answers (OpenAI-style `data:` chunks): time to first token, inter-token latency, time per output token and output tokens/s'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand merge 'Merge `--output json` reports of runs made at the same time (e.g. from several machines): histograms are added, so the percentiles are exact'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'plugctl;bench;merge'= {
            cand --fail-if 'Fail (exit 3) when the merged report breaks an objective (see `plugctl bench --help`)'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;bench;help'= {
            cand merge 'Merge `--output json` reports of runs made at the same time (e.g. from several machines): histograms are added, so the percentiles are exact'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'plugctl;bench;help;merge'= {
        }
        &'plugctl;bench;help;help'= {
        }
        &'plugctl;redact'= {
            cand -o 'Write the redacted output to FILE (atomically) instead of stdout'
            cand --out 'Write the redacted output to FILE (atomically) instead of stdout'
            cand --backup 'With --in-place, keep the original as FILE + SUFFIX (e.g. ".bak")'
            cand --format 'How to read the inputs'
            cand --rules 'A YAML rules file (the shape of the `redact:` section of plugctl.yaml)'
            cand --enable 'Turn rules on (repeatable, or comma-separated), e.g. at_token; "all" for every built-in'
            cand --disable 'Turn rules off (repeatable, or comma-separated), e.g. phone,ipv6'
            cand --operator 'Operator for one rule (RULE=OP) or for all (OP): replace, mask or hash. Repeatable. hash needs a key in $PLUGCTL_REDACT_KEY or `redact: hash_key:`'
            cand --report 'Write the summary (JSON, with per-input counts) to FILE instead of stderr'
            cand --max-findings 'With --check, list at most N findings per input (all are counted); 0 lists all'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand -i 'Rewrite each file in place (temporary file, fsync, atomic rename; permissions kept)'
            cand --in-place 'Rewrite each file in place (temporary file, fsync, atomic rename; permissions kept)'
            cand --check 'Change nothing; list findings as file:line:column (masked) and exit 3 if there are any'
            cand --list-rules 'List the rules, whether they are on and their operator, and exit'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;serve'= {
            cand --bind 'Address to listen on [default: 127.0.0.1:8787]; port 0 picks a free port'
            cand --data-dir 'Directory of the embedded session store [default: the platform data dir]'
            cand --store 'Session store: embedded (durable, default), memory (gone on exit) or a Redis URL such as redis://127.0.0.1:6379/ (shared by several nodes)'
            cand --durability 'When the embedded store acknowledges a write: fsync (default: survives a power cut) or os (written to the operating system: survives a crash or kill -9 of plugctl)'
            cand --backend 'Who answers: echo (deterministic, default) or openai (an OpenAI-compatible API)'
            cand --upstream-url 'Chat completions URL of the openai backend [default: api.openai.com]. The API key is read from $OPENAI_API_KEY (or the variable named by serve.openai.api_key_env), else from the OS keyring entry openai-api-key'
            cand --model 'Model: sent to the openai backend, and picks the tokenizer for the context budget'
            cand --context-budget 'Token budget of each turn''s history, reply reserve included [default: 2048]'
            cand --reserve-output 'Tokens of the budget kept for the reply [default: 256]'
            cand --strategy 'Which messages survive trimming: last (default), first or middle-out'
            cand --active-ttl 'Sliding lifetime of an active session, e.g. 30m [default: 30m]'
            cand --inactive-ttl 'How long an expired session can still be revived by a message [default: 7d]'
            cand --archive-ttl 'How long the transcript is then kept read-only before it is purged [default: 30d]'
            cand --grace-period 'Time in-flight requests get to finish after Ctrl-C/SIGTERM [default: 5m]'
            cand --rate-limit 'Requests per second to /v1/* over all clients; 0 or off turns the limit off [default: 100]'
            cand --rate-burst 'Requests admitted at once after an idle period [default: the rate]'
            cand --client-rate-limit 'Requests per second of each client, on top of the global limit [default: none]'
            cand --client-rate-burst 'Burst of each client [default: its rate]'
            cand --client-key 'What a client is: ip (default) or api_key (needs --auth api_key)'
            cand --auth 'Who may call /v1/*: none (default), api_key (keys from $PLUGCTL_SERVE_API_KEYS, comma separated, or serve.auth in plugctl.yaml) or jwt (access tokens of --auth-issuer for --auth-audience)'
            cand --auth-issuer 'With --auth jwt: the OpenID provider whose tokens are accepted'
            cand --auth-audience 'With --auth jwt: the audience (aud) a token must carry'
            cand --log-format 'Log lines on stderr: text (default) or json (one object per line). Either way, one line per request, client addresses anonymized, credentials masked, values redacted'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand export 'Write a session''s transcript (any tier short of purged) as JSON or JSON Lines, read straight from the store. The embedded store must not be in use by a running server'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'plugctl;serve;export'= {
            cand --store 'Session store: embedded (default), memory or a redis:// URL (as for plugctl serve)'
            cand --data-dir 'Directory of the embedded session store [default: the platform data dir]'
            cand --format 'json (one document, default) or jsonl (one message per line)'
            cand -o 'Write the transcript to FILE (atomically) instead of stdout'
            cand --out 'Write the transcript to FILE (atomically) instead of stdout'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;serve;help'= {
            cand export 'Write a session''s transcript (any tier short of purged) as JSON or JSON Lines, read straight from the store. The embedded store must not be in use by a running server'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'plugctl;serve;help;export'= {
        }
        &'plugctl;serve;help;help'= {
        }
        &'plugctl;login'= {
            cand --profile 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]'
            cand --provider 'A provider preset: `google` (issuer https://accounts.google.com, scopes openid email profile)'
            cand --issuer 'The OpenID issuer URL, exactly as the provider spells it'
            cand --client-id 'The OAuth client ID registered for plugctl at the provider'
            cand --scope 'A scope to request (repeatable) [default: openid email profile offline_access]'
            cand --timeout 'Seconds to wait for the sign-in'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand --device 'Sign in on another device with a code (RFC 8628): for SSH sessions and machines without a browser'
            cand --no-browser 'Do not start a browser; print the URL to open (the listener still waits for it)'
            cand --insecure-storage 'Keep the tokens in a file readable only by you (mode 0600) instead of the OS keyring. For machines without a working keyring; anyone with your account''s access can read it'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;logout'= {
            cand --profile 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand --all 'Log out of every profile plugctl knows (configured, active, or in the insecure store)'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;auth'= {
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'Show who is logged in: profile, issuer, subject, scopes, expiry, storage (never a secret)'
            cand token 'Print a valid access token on stdout (refreshed first when it is about to expire), for scripts: `curl -H "Authorization: Bearer $(plugctl auth token)" ...`'
            cand refresh 'Refresh the tokens now, with the stored refresh token'
            cand switch 'Make another profile the active one'
            cand login 'The same as `plugctl login`'
            cand logout 'The same as `plugctl logout`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'plugctl;auth;status'= {
            cand --profile 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand --insecure-storage 'Keep the tokens in a file readable only by you (mode 0600) instead of the OS keyring. For machines without a working keyring; anyone with your account''s access can read it'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;auth;token'= {
            cand --profile 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;auth;refresh'= {
            cand --profile 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;auth;switch'= {
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;auth;login'= {
            cand --profile 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]'
            cand --provider 'A provider preset: `google` (issuer https://accounts.google.com, scopes openid email profile)'
            cand --issuer 'The OpenID issuer URL, exactly as the provider spells it'
            cand --client-id 'The OAuth client ID registered for plugctl at the provider'
            cand --scope 'A scope to request (repeatable) [default: openid email profile offline_access]'
            cand --timeout 'Seconds to wait for the sign-in'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand --device 'Sign in on another device with a code (RFC 8628): for SSH sessions and machines without a browser'
            cand --no-browser 'Do not start a browser; print the URL to open (the listener still waits for it)'
            cand --insecure-storage 'Keep the tokens in a file readable only by you (mode 0600) instead of the OS keyring. For machines without a working keyring; anyone with your account''s access can read it'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;auth;logout'= {
            cand --profile 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]'
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand --all 'Log out of every profile plugctl knows (configured, active, or in the insecure store)'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;auth;help'= {
            cand status 'Show who is logged in: profile, issuer, subject, scopes, expiry, storage (never a secret)'
            cand token 'Print a valid access token on stdout (refreshed first when it is about to expire), for scripts: `curl -H "Authorization: Bearer $(plugctl auth token)" ...`'
            cand refresh 'Refresh the tokens now, with the stored refresh token'
            cand switch 'Make another profile the active one'
            cand login 'The same as `plugctl login`'
            cand logout 'The same as `plugctl logout`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'plugctl;auth;help;status'= {
        }
        &'plugctl;auth;help;token'= {
        }
        &'plugctl;auth;help;refresh'= {
        }
        &'plugctl;auth;help;switch'= {
        }
        &'plugctl;auth;help;login'= {
        }
        &'plugctl;auth;help;logout'= {
        }
        &'plugctl;auth;help;help'= {
        }
        &'plugctl;completions'= {
            cand --output 'Output format of the data on stdout'
            cand --color 'When to use colour (never when NO_COLOR is set, unless "always")'
            cand --config 'Configuration file [default: ./plugctl.yaml, then the platform config dir]'
            cand -v 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'Say more on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Say nothing on stderr but warnings and errors'
            cand --quiet 'Say nothing on stderr but warnings and errors'
            cand --no-config 'Ignore every configuration file'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'plugctl;help'= {
            cand tokens 'Count tokens exactly as OpenAI''s tiktoken does, and trim chat histories to a budget'
            cand bench 'Load-test an HTTP endpoint (closed or open loop, streaming chat with --sse), or merge reports with `plugctl bench merge`'
            cand redact 'Redact personal data and secrets in transcripts and logs, losslessly (or --check for them)'
            cand serve 'Run a dev chat-plugin server: sessions, context trimming, OpenAPI and Swagger UI'
            cand login 'Log in to an OpenID Connect provider; the tokens go to the OS keyring'
            cand logout 'Log out: revoke the tokens at the provider and delete them'
            cand auth 'Tokens of the logged-in profile: status, token, refresh, switch'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'plugctl;help;tokens'= {
            cand count 'Count tokens of files or stdin (plain text, or chat transcripts with the prompt formula)'
            cand compress 'Trim a chat transcript to a token budget and write it back in the same format'
        }
        &'plugctl;help;tokens;count'= {
        }
        &'plugctl;help;tokens;compress'= {
        }
        &'plugctl;help;bench'= {
            cand merge 'Merge `--output json` reports of runs made at the same time (e.g. from several machines): histograms are added, so the percentiles are exact'
        }
        &'plugctl;help;bench;merge'= {
        }
        &'plugctl;help;redact'= {
        }
        &'plugctl;help;serve'= {
            cand export 'Write a session''s transcript (any tier short of purged) as JSON or JSON Lines, read straight from the store. The embedded store must not be in use by a running server'
        }
        &'plugctl;help;serve;export'= {
        }
        &'plugctl;help;login'= {
        }
        &'plugctl;help;logout'= {
        }
        &'plugctl;help;auth'= {
            cand status 'Show who is logged in: profile, issuer, subject, scopes, expiry, storage (never a secret)'
            cand token 'Print a valid access token on stdout (refreshed first when it is about to expire), for scripts: `curl -H "Authorization: Bearer $(plugctl auth token)" ...`'
            cand refresh 'Refresh the tokens now, with the stored refresh token'
            cand switch 'Make another profile the active one'
            cand login 'The same as `plugctl login`'
            cand logout 'The same as `plugctl logout`'
        }
        &'plugctl;help;auth;status'= {
        }
        &'plugctl;help;auth;token'= {
        }
        &'plugctl;help;auth;refresh'= {
        }
        &'plugctl;help;auth;switch'= {
        }
        &'plugctl;help;auth;login'= {
        }
        &'plugctl;help;auth;logout'= {
        }
        &'plugctl;help;completions'= {
        }
        &'plugctl;help;help'= {
        }
    ]
    $completions[$command]
}
