# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_plugctl_global_optspecs
    string join \n output= v/verbose q/quiet color= config= no-config h/help V/version
end

function __fish_plugctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_plugctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_plugctl_using_subcommand
    set -l cmd (__fish_plugctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c plugctl -n "__fish_plugctl_needs_command" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_needs_command" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_needs_command" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_needs_command" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_needs_command" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_needs_command" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_needs_command" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_needs_command" -f -a "tokens" -d 'Count tokens exactly as OpenAI\'s tiktoken does, and trim chat histories to a budget'
complete -c plugctl -n "__fish_plugctl_needs_command" -f -a "bench" -d 'Load-test an HTTP endpoint (closed or open loop, streaming chat with --sse), or merge reports with `plugctl bench merge`'
complete -c plugctl -n "__fish_plugctl_needs_command" -f -a "redact" -d 'Redact personal data and secrets in transcripts and logs, losslessly (or --check for them)'
complete -c plugctl -n "__fish_plugctl_needs_command" -f -a "serve" -d 'Run a dev chat-plugin server: sessions, context trimming, OpenAPI and Swagger UI'
complete -c plugctl -n "__fish_plugctl_needs_command" -f -a "login" -d 'Log in to an OpenID Connect provider; the tokens go to the OS keyring'
complete -c plugctl -n "__fish_plugctl_needs_command" -f -a "logout" -d 'Log out: revoke the tokens at the provider and delete them'
complete -c plugctl -n "__fish_plugctl_needs_command" -f -a "auth" -d 'Tokens of the logged-in profile: status, token, refresh, switch'
complete -c plugctl -n "__fish_plugctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c plugctl -n "__fish_plugctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and not __fish_seen_subcommand_from count compress help" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and not __fish_seen_subcommand_from count compress help" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and not __fish_seen_subcommand_from count compress help" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and not __fish_seen_subcommand_from count compress help" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and not __fish_seen_subcommand_from count compress help" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and not __fish_seen_subcommand_from count compress help" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and not __fish_seen_subcommand_from count compress help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and not __fish_seen_subcommand_from count compress help" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and not __fish_seen_subcommand_from count compress help" -f -a "count" -d 'Count tokens of files or stdin (plain text, or chat transcripts with the prompt formula)'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and not __fish_seen_subcommand_from count compress help" -f -a "compress" -d 'Trim a chat transcript to a token budget and write it back in the same format'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and not __fish_seen_subcommand_from count compress help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -l encoding -d 'Encoding: o200k_base (default), o200k_harmony, cl100k_base, p50k_base, r50k_base' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -l model -d 'Model whose encoding (and chat formula) to use, e.g. gpt-4o, gpt-4, gpt-3.5-turbo, o3' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -l format -d 'How to read the inputs' -r -f -a "auto\t'Chat for .json, .jsonl, .yaml and .yml files; text otherwise'
text\t'Plain text: every byte counts'
chat\t'A chat transcript: a list of messages or a request with `messages` (and `tools`)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -l limit -d 'Fail (exit 3) when any input has more than N tokens' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -l per-message -d 'Show the tokens of each message of a chat transcript'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from count" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -l max-tokens -d 'The budget for the whole request: messages, tools and the reserved reply' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -l reserve-output -d 'Tokens to leave free for the model\'s answer [default: 0]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -l strategy -d 'Which messages to keep: last (newest), first (oldest) or middle-out (both ends) [default: last]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -s o -l out -d 'Write the trimmed transcript to FILE (atomically) instead of stdout' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -l encoding -d 'Encoding: o200k_base (default), o200k_harmony, cl100k_base, p50k_base, r50k_base' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -l model -d 'Model whose encoding (and chat formula) to use, e.g. gpt-4o, gpt-4, gpt-3.5-turbo, o3' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -l no-pin-system -d 'Let system and developer messages be dropped like any other'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -l partial -d 'Cut the text of one more message so that the budget is used up'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -l explain -d 'Explain every message\'s fate on stderr (a table, or JSON with --output json)'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from compress" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from help" -f -a "count" -d 'Count tokens of files or stdin (plain text, or chat transcripts with the prompt formula)'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from help" -f -a "compress" -d 'Trim a chat transcript to a token budget and write it back in the same format'
complete -c plugctl -n "__fish_plugctl_using_subcommand tokens; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -s c -l connections -d 'Connections, each with one request in flight at a time [default: 50]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -s d -l duration -d 'How long to measure, e.g. 10s, 2m [default: 10s unless -n is given]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -s n -l requests -d 'Stop after N requests (warm-up not counted); with -d, whichever comes first' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l rate -d 'Open loop: send R requests per second on a fixed schedule, whatever the server does. Latency counts from each request\'s intended send time, so stalls are never hidden' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l arrival -d 'How open-loop sends are spaced (needs --rate)' -r -f -a "constant\t'Evenly: one request every 1/rate seconds'
poisson\t'Randomly, as independent users would: exponential gaps with mean 1/rate'"
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l warmup -d 'Send for this long first without counting anything (e.g. 2s)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l ramp -d 'Grow linearly to the full rate (or number of connections) over this time, from the start' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l timeout -d 'Give up on a request after this long (counted as a timeout error) [default: 10s]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l connect-timeout -d 'Give up opening a connection after this long (counted as a connect error) [default: 3s]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -s m -l method -d 'HTTP method [default: GET, or POST when there is a body]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -s H -l header -d 'A request header, \'Name: value\' (repeatable)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l body -d 'The request body' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l body-file -d 'Read the request body from FILE' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l json -d 'A JSON body; also sets Content-Type: application/json' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l body-lines -d 'Send the lines of a JSONL file in turn, one request body each (e.g. a set of chat requests); sets Content-Type: application/json' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l threads -d 'Generator threads, each driving its share of the connections [default: 1]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l fail-if -d 'Exit 3 when the run breaks this objective (repeatable), e.g. \'p99>200ms\', \'error_rate>1%\', \'rps<500\'. Metrics: min mean stddev p50 p90 p95 p99 p99_9 max, ttfb_/ttft_/itl_/tpot_ p50 and p99, error_rate, success_rate, rejected_rate, rps, requests, output_tokens_per_s' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l no-keepalive -d 'Open a new connection for every request'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l http2 -d 'Speak HTTP/2: negotiated with ALPN over https://, with prior knowledge (h2c) over http://. One connection per -c, one request in flight on each'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -s k -l insecure -d 'Accept any TLS certificate (self-signed development servers); the connection is still encrypted'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l sse -d 'Read text/event-stream answers (OpenAI-style `data:` chunks): time to first token, inter-token latency, time per output token and output tokens/s'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -a "merge" -d 'Merge `--output json` reports of runs made at the same time (e.g. from several machines): histograms are added, so the percentiles are exact'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and not __fish_seen_subcommand_from merge help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and __fish_seen_subcommand_from merge" -l fail-if -d 'Fail (exit 3) when the merged report breaks an objective (see `plugctl bench --help`)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and __fish_seen_subcommand_from merge" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and __fish_seen_subcommand_from merge" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and __fish_seen_subcommand_from merge" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and __fish_seen_subcommand_from merge" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and __fish_seen_subcommand_from merge" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and __fish_seen_subcommand_from merge" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and __fish_seen_subcommand_from merge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and __fish_seen_subcommand_from merge" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "merge" -d 'Merge `--output json` reports of runs made at the same time (e.g. from several machines): histograms are added, so the percentiles are exact'
complete -c plugctl -n "__fish_plugctl_using_subcommand bench; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -s o -l out -d 'Write the redacted output to FILE (atomically) instead of stdout' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l backup -d 'With --in-place, keep the original as FILE + SUFFIX (e.g. ".bak")' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l format -d 'How to read the inputs' -r -f -a "auto\t'By extension: .json → json, .jsonl/.ndjson → jsonl, anything else → text'
text\t'Any bytes; findings anywhere; everything else passes through byte for byte'
json\t'One JSON document; only string values are redacted'
jsonl\t'One JSON document per line; lines that are not JSON are redacted as text'"
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l rules -d 'A YAML rules file (the shape of the `redact:` section of plugctl.yaml)' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l enable -d 'Turn rules on (repeatable, or comma-separated), e.g. at_token; "all" for every built-in' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l disable -d 'Turn rules off (repeatable, or comma-separated), e.g. phone,ipv6' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l operator -d 'Operator for one rule (RULE=OP) or for all (OP): replace, mask or hash. Repeatable. hash needs a key in $PLUGCTL_REDACT_KEY or `redact: hash_key:`' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l report -d 'Write the summary (JSON, with per-input counts) to FILE instead of stderr' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l max-findings -d 'With --check, list at most N findings per input (all are counted); 0 lists all' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -s i -l in-place -d 'Rewrite each file in place (temporary file, fsync, atomic rename; permissions kept)'
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l check -d 'Change nothing; list findings as file:line:column (masked) and exit 3 if there are any'
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l list-rules -d 'List the rules, whether they are on and their operator, and exit'
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand redact" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l bind -d 'Address to listen on [default: 127.0.0.1:8787]; port 0 picks a free port' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l data-dir -d 'Directory of the embedded session store [default: the platform data dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l store -d 'Session store: embedded (durable, default), memory (gone on exit) or a Redis URL such as redis://127.0.0.1:6379/ (shared by several nodes)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l durability -d 'When the embedded store acknowledges a write: fsync (default: survives a power cut) or os (written to the operating system: survives a crash or kill -9 of plugctl)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l backend -d 'Who answers: echo (deterministic, default) or openai (an OpenAI-compatible API)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l upstream-url -d 'Chat completions URL of the openai backend [default: api.openai.com]. The API key is read from $OPENAI_API_KEY (or the variable named by serve.openai.api_key_env), else from the OS keyring entry openai-api-key' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l model -d 'Model: sent to the openai backend, and picks the tokenizer for the context budget' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l context-budget -d 'Token budget of each turn\'s history, reply reserve included [default: 2048]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l reserve-output -d 'Tokens of the budget kept for the reply [default: 256]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l strategy -d 'Which messages survive trimming: last (default), first or middle-out' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l active-ttl -d 'Sliding lifetime of an active session, e.g. 30m [default: 30m]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l inactive-ttl -d 'How long an expired session can still be revived by a message [default: 7d]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l archive-ttl -d 'How long the transcript is then kept read-only before it is purged [default: 30d]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l grace-period -d 'Time in-flight requests get to finish after Ctrl-C/SIGTERM [default: 5m]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l rate-limit -d 'Requests per second to /v1/* over all clients; 0 or off turns the limit off [default: 100]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l rate-burst -d 'Requests admitted at once after an idle period [default: the rate]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l client-rate-limit -d 'Requests per second of each client, on top of the global limit [default: none]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l client-rate-burst -d 'Burst of each client [default: its rate]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l client-key -d 'What a client is: ip (default) or api_key (needs --auth api_key)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l auth -d 'Who may call /v1/*: none (default), api_key (keys from $PLUGCTL_SERVE_API_KEYS, comma separated, or serve.auth in plugctl.yaml) or jwt (access tokens of --auth-issuer for --auth-audience)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l auth-issuer -d 'With --auth jwt: the OpenID provider whose tokens are accepted' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l auth-audience -d 'With --auth jwt: the audience (aud) a token must carry' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l log-format -d 'Log lines on stderr: text (default) or json (one object per line). Either way, one line per request, client addresses anonymized, credentials masked, values redacted' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -f -a "export" -d 'Write a session\'s transcript (any tier short of purged) as JSON or JSON Lines, read straight from the store. The embedded store must not be in use by a running server'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and not __fish_seen_subcommand_from export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from export" -l store -d 'Session store: embedded (default), memory or a redis:// URL (as for plugctl serve)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from export" -l data-dir -d 'Directory of the embedded session store [default: the platform data dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from export" -l format -d 'json (one document, default) or jsonl (one message per line)' -r -f -a "json\t''
jsonl\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from export" -s o -l out -d 'Write the transcript to FILE (atomically) instead of stdout' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from export" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from export" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from export" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from export" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write a session\'s transcript (any tier short of purged) as JSON or JSON Lines, read straight from the store. The embedded store must not be in use by a running server'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l profile -d 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l provider -d 'A provider preset: `google` (issuer https://accounts.google.com, scopes openid email profile)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l issuer -d 'The OpenID issuer URL, exactly as the provider spells it' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l client-id -d 'The OAuth client ID registered for plugctl at the provider' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l scope -d 'A scope to request (repeatable) [default: openid email profile offline_access]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l timeout -d 'Seconds to wait for the sign-in' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l device -d 'Sign in on another device with a code (RFC 8628): for SSH sessions and machines without a browser'
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l no-browser -d 'Do not start a browser; print the URL to open (the listener still waits for it)'
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l insecure-storage -d 'Keep the tokens in a file readable only by you (mode 0600) instead of the OS keyring. For machines without a working keyring; anyone with your account\'s access can read it'
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand login" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand logout" -l profile -d 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand logout" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand logout" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand logout" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand logout" -l all -d 'Log out of every profile plugctl knows (configured, active, or in the insecure store)'
complete -c plugctl -n "__fish_plugctl_using_subcommand logout" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand logout" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand logout" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand logout" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -f -a "status" -d 'Show who is logged in: profile, issuer, subject, scopes, expiry, storage (never a secret)'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -f -a "token" -d 'Print a valid access token on stdout (refreshed first when it is about to expire), for scripts: `curl -H "Authorization: Bearer $(plugctl auth token)" ...`'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -f -a "refresh" -d 'Refresh the tokens now, with the stored refresh token'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -f -a "switch" -d 'Make another profile the active one'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -f -a "login" -d 'The same as `plugctl login`'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -f -a "logout" -d 'The same as `plugctl logout`'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and not __fish_seen_subcommand_from status token refresh switch login logout help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from status" -l profile -d 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from status" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from status" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from status" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from status" -l insecure-storage -d 'Keep the tokens in a file readable only by you (mode 0600) instead of the OS keyring. For machines without a working keyring; anyone with your account\'s access can read it'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from status" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from token" -l profile -d 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from token" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from token" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from token" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from token" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from token" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from token" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from token" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from refresh" -l profile -d 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from refresh" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from refresh" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from refresh" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from refresh" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from refresh" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from switch" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from switch" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from switch" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from switch" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from switch" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from switch" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from switch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from switch" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l profile -d 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l provider -d 'A provider preset: `google` (issuer https://accounts.google.com, scopes openid email profile)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l issuer -d 'The OpenID issuer URL, exactly as the provider spells it' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l client-id -d 'The OAuth client ID registered for plugctl at the provider' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l scope -d 'A scope to request (repeatable) [default: openid email profile offline_access]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l timeout -d 'Seconds to wait for the sign-in' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l device -d 'Sign in on another device with a code (RFC 8628): for SSH sessions and machines without a browser'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l no-browser -d 'Do not start a browser; print the URL to open (the listener still waits for it)'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l insecure-storage -d 'Keep the tokens in a file readable only by you (mode 0600) instead of the OS keyring. For machines without a working keyring; anyone with your account\'s access can read it'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from login" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from logout" -l profile -d 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from logout" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from logout" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from logout" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from logout" -l all -d 'Log out of every profile plugctl knows (configured, active, or in the insecure store)'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from logout" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from logout" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from logout" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from logout" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show who is logged in: profile, issuer, subject, scopes, expiry, storage (never a secret)'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "token" -d 'Print a valid access token on stdout (refreshed first when it is about to expire), for scripts: `curl -H "Authorization: Bearer $(plugctl auth token)" ...`'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "refresh" -d 'Refresh the tokens now, with the stored refresh token'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "switch" -d 'Make another profile the active one'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "login" -d 'The same as `plugctl login`'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "logout" -d 'The same as `plugctl logout`'
complete -c plugctl -n "__fish_plugctl_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c plugctl -n "__fish_plugctl_using_subcommand completions" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand completions" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand completions" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand completions" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand completions" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand completions" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens bench redact serve login logout auth completions help" -f -a "tokens" -d 'Count tokens exactly as OpenAI\'s tiktoken does, and trim chat histories to a budget'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens bench redact serve login logout auth completions help" -f -a "bench" -d 'Load-test an HTTP endpoint (closed or open loop, streaming chat with --sse), or merge reports with `plugctl bench merge`'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens bench redact serve login logout auth completions help" -f -a "redact" -d 'Redact personal data and secrets in transcripts and logs, losslessly (or --check for them)'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens bench redact serve login logout auth completions help" -f -a "serve" -d 'Run a dev chat-plugin server: sessions, context trimming, OpenAPI and Swagger UI'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens bench redact serve login logout auth completions help" -f -a "login" -d 'Log in to an OpenID Connect provider; the tokens go to the OS keyring'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens bench redact serve login logout auth completions help" -f -a "logout" -d 'Log out: revoke the tokens at the provider and delete them'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens bench redact serve login logout auth completions help" -f -a "auth" -d 'Tokens of the logged-in profile: status, token, refresh, switch'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens bench redact serve login logout auth completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens bench redact serve login logout auth completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and __fish_seen_subcommand_from tokens" -f -a "count" -d 'Count tokens of files or stdin (plain text, or chat transcripts with the prompt formula)'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and __fish_seen_subcommand_from tokens" -f -a "compress" -d 'Trim a chat transcript to a token budget and write it back in the same format'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and __fish_seen_subcommand_from bench" -f -a "merge" -d 'Merge `--output json` reports of runs made at the same time (e.g. from several machines): histograms are added, so the percentiles are exact'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and __fish_seen_subcommand_from serve" -f -a "export" -d 'Write a session\'s transcript (any tier short of purged) as JSON or JSON Lines, read straight from the store. The embedded store must not be in use by a running server'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "status" -d 'Show who is logged in: profile, issuer, subject, scopes, expiry, storage (never a secret)'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "token" -d 'Print a valid access token on stdout (refreshed first when it is about to expire), for scripts: `curl -H "Authorization: Bearer $(plugctl auth token)" ...`'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "refresh" -d 'Refresh the tokens now, with the stored refresh token'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "switch" -d 'Make another profile the active one'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "login" -d 'The same as `plugctl login`'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "logout" -d 'The same as `plugctl logout`'
