
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'plugctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'plugctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'plugctl' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('tokens', 'tokens', [CompletionResultType]::ParameterValue, 'Count tokens exactly as OpenAI''s tiktoken does, and trim chat histories to a budget')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load-test an HTTP endpoint (closed or open loop, streaming chat with --sse), or merge reports with `plugctl bench merge`')
            [CompletionResult]::new('redact', 'redact', [CompletionResultType]::ParameterValue, 'Redact personal data and secrets in transcripts and logs, losslessly (or --check for them)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a dev chat-plugin server: sessions, context trimming, OpenAPI and Swagger UI')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to an OpenID Connect provider; the tokens go to the OS keyring')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Log out: revoke the tokens at the provider and delete them')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Tokens of the logged-in profile: status, token, refresh, switch')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'plugctl;tokens' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Count tokens of files or stdin (plain text, or chat transcripts with the prompt formula)')
            [CompletionResult]::new('compress', 'compress', [CompletionResultType]::ParameterValue, 'Trim a chat transcript to a token budget and write it back in the same format')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'plugctl;tokens;count' {
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding: o200k_base (default), o200k_harmony, cl100k_base, p50k_base, r50k_base')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model whose encoding (and chat formula) to use, e.g. gpt-4o, gpt-4, gpt-3.5-turbo, o3')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How to read the inputs')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Fail (exit 3) when any input has more than N tokens')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('--per-message', '--per-message', [CompletionResultType]::ParameterName, 'Show the tokens of each message of a chat transcript')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;tokens;compress' {
            [CompletionResult]::new('--max-tokens', '--max-tokens', [CompletionResultType]::ParameterName, 'The budget for the whole request: messages, tools and the reserved reply')
            [CompletionResult]::new('--reserve-output', '--reserve-output', [CompletionResultType]::ParameterName, 'Tokens to leave free for the model''s answer [default: 0]')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'Which messages to keep: last (newest), first (oldest) or middle-out (both ends) [default: last]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the trimmed transcript to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the trimmed transcript to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Encoding: o200k_base (default), o200k_harmony, cl100k_base, p50k_base, r50k_base')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model whose encoding (and chat formula) to use, e.g. gpt-4o, gpt-4, gpt-3.5-turbo, o3')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('--no-pin-system', '--no-pin-system', [CompletionResultType]::ParameterName, 'Let system and developer messages be dropped like any other')
            [CompletionResult]::new('--partial', '--partial', [CompletionResultType]::ParameterName, 'Cut the text of one more message so that the budget is used up')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Explain every message''s fate on stderr (a table, or JSON with --output json)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;tokens;help' {
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Count tokens of files or stdin (plain text, or chat transcripts with the prompt formula)')
            [CompletionResult]::new('compress', 'compress', [CompletionResultType]::ParameterValue, 'Trim a chat transcript to a token budget and write it back in the same format')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'plugctl;tokens;help;count' {
            break
        }
        'plugctl;tokens;help;compress' {
            break
        }
        'plugctl;tokens;help;help' {
            break
        }
        'plugctl;bench' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Connections, each with one request in flight at a time [default: 50]')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Connections, each with one request in flight at a time [default: 50]')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'How long to measure, e.g. 10s, 2m [default: 10s unless -n is given]')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'How long to measure, e.g. 10s, 2m [default: 10s unless -n is given]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after N requests (warm-up not counted); with -d, whichever comes first')
            [CompletionResult]::new('--requests', '--requests', [CompletionResultType]::ParameterName, 'Stop after N requests (warm-up not counted); with -d, whichever comes first')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Open loop: send R requests per second on a fixed schedule, whatever the server does. Latency counts from each request''s intended send time, so stalls are never hidden')
            [CompletionResult]::new('--arrival', '--arrival', [CompletionResultType]::ParameterName, 'How open-loop sends are spaced (needs --rate)')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Send for this long first without counting anything (e.g. 2s)')
            [CompletionResult]::new('--ramp', '--ramp', [CompletionResultType]::ParameterName, 'Grow linearly to the full rate (or number of connections) over this time, from the start')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long (counted as a timeout error) [default: 10s]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up opening a connection after this long (counted as a connect error) [default: 3s]')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'HTTP method [default: GET, or POST when there is a body]')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'HTTP method [default: GET, or POST when there is a body]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'A request header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'A request header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'The request body')
            [CompletionResult]::new('--body-file', '--body-file', [CompletionResultType]::ParameterName, 'Read the request body from FILE')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'A JSON body; also sets Content-Type: application/json')
            [CompletionResult]::new('--body-lines', '--body-lines', [CompletionResultType]::ParameterName, 'Send the lines of a JSONL file in turn, one request body each (e.g. a set of chat requests); sets Content-Type: application/json')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Generator threads, each driving its share of the connections [default: 1]')
            [CompletionResult]::new('--fail-if', '--fail-if', [CompletionResultType]::ParameterName, 'Exit 3 when the run breaks this objective (repeatable), e.g. ''p99>200ms'', ''error_rate>1%'', ''rps<500''. Metrics: min mean stddev p50 p90 p95 p99 p99_9 max, ttfb_/ttft_/itl_/tpot_ p50 and p99, error_rate, success_rate, rejected_rate, rps, requests, output_tokens_per_s')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('--no-keepalive', '--no-keepalive', [CompletionResultType]::ParameterName, 'Open a new connection for every request')
            [CompletionResult]::new('--http2', '--http2', [CompletionResultType]::ParameterName, 'Speak HTTP/2: negotiated with ALPN over https://, with prior knowledge (h2c) over http://. One connection per -c, one request in flight on each')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (self-signed development servers); the connection is still encrypted')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (self-signed development servers); the connection is still encrypted')
            [CompletionResult]::new('--sse', '--sse', [CompletionResultType]::ParameterName, 'Read text/event-stream answers (OpenAI-style `data:` chunks): time to first token, inter-token latency, time per output token and output tokens/s')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merge `--output json` reports of runs made at the same time (e.g. from several machines): histograms are added, so the percentiles are exact')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'plugctl;bench;merge' {
            [CompletionResult]::new('--fail-if', '--fail-if', [CompletionResultType]::ParameterName, 'Fail (exit 3) when the merged report breaks an objective (see `plugctl bench --help`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;bench;help' {
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merge `--output json` reports of runs made at the same time (e.g. from several machines): histograms are added, so the percentiles are exact')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'plugctl;bench;help;merge' {
            break
        }
        'plugctl;bench;help;help' {
            break
        }
        'plugctl;redact' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the redacted output to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the redacted output to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--backup', '--backup', [CompletionResultType]::ParameterName, 'With --in-place, keep the original as FILE + SUFFIX (e.g. ".bak")')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How to read the inputs')
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'A YAML rules file (the shape of the `redact:` section of plugctl.yaml)')
            [CompletionResult]::new('--enable', '--enable', [CompletionResultType]::ParameterName, 'Turn rules on (repeatable, or comma-separated), e.g. at_token; "all" for every built-in')
            [CompletionResult]::new('--disable', '--disable', [CompletionResultType]::ParameterName, 'Turn rules off (repeatable, or comma-separated), e.g. phone,ipv6')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Operator for one rule (RULE=OP) or for all (OP): replace, mask or hash. Repeatable. hash needs a key in $PLUGCTL_REDACT_KEY or `redact: hash_key:`')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the summary (JSON, with per-input counts) to FILE instead of stderr')
            [CompletionResult]::new('--max-findings', '--max-findings', [CompletionResultType]::ParameterName, 'With --check, list at most N findings per input (all are counted); 0 lists all')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Rewrite each file in place (temporary file, fsync, atomic rename; permissions kept)')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Rewrite each file in place (temporary file, fsync, atomic rename; permissions kept)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Change nothing; list findings as file:line:column (masked) and exit 3 if there are any')
            [CompletionResult]::new('--list-rules', '--list-rules', [CompletionResultType]::ParameterName, 'List the rules, whether they are on and their operator, and exit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;serve' {
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to listen on [default: 127.0.0.1:8787]; port 0 picks a free port')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the embedded session store [default: the platform data dir]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Session store: embedded (durable, default), memory (gone on exit) or a Redis URL such as redis://127.0.0.1:6379/ (shared by several nodes)')
            [CompletionResult]::new('--durability', '--durability', [CompletionResultType]::ParameterName, 'When the embedded store acknowledges a write: fsync (default: survives a power cut) or os (written to the operating system: survives a crash or kill -9 of plugctl)')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Who answers: echo (deterministic, default) or openai (an OpenAI-compatible API)')
            [CompletionResult]::new('--upstream-url', '--upstream-url', [CompletionResultType]::ParameterName, 'Chat completions URL of the openai backend [default: api.openai.com]. The API key is read from $OPENAI_API_KEY (or the variable named by serve.openai.api_key_env), else from the OS keyring entry openai-api-key')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Model: sent to the openai backend, and picks the tokenizer for the context budget')
            [CompletionResult]::new('--context-budget', '--context-budget', [CompletionResultType]::ParameterName, 'Token budget of each turn''s history, reply reserve included [default: 2048]')
            [CompletionResult]::new('--reserve-output', '--reserve-output', [CompletionResultType]::ParameterName, 'Tokens of the budget kept for the reply [default: 256]')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'Which messages survive trimming: last (default), first or middle-out')
            [CompletionResult]::new('--active-ttl', '--active-ttl', [CompletionResultType]::ParameterName, 'Sliding lifetime of an active session, e.g. 30m [default: 30m]')
            [CompletionResult]::new('--inactive-ttl', '--inactive-ttl', [CompletionResultType]::ParameterName, 'How long an expired session can still be revived by a message [default: 7d]')
            [CompletionResult]::new('--archive-ttl', '--archive-ttl', [CompletionResultType]::ParameterName, 'How long the transcript is then kept read-only before it is purged [default: 30d]')
            [CompletionResult]::new('--grace-period', '--grace-period', [CompletionResultType]::ParameterName, 'Time in-flight requests get to finish after Ctrl-C/SIGTERM [default: 5m]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Requests per second to /v1/* over all clients; 0 or off turns the limit off [default: 100]')
            [CompletionResult]::new('--rate-burst', '--rate-burst', [CompletionResultType]::ParameterName, 'Requests admitted at once after an idle period [default: the rate]')
            [CompletionResult]::new('--client-rate-limit', '--client-rate-limit', [CompletionResultType]::ParameterName, 'Requests per second of each client, on top of the global limit [default: none]')
            [CompletionResult]::new('--client-rate-burst', '--client-rate-burst', [CompletionResultType]::ParameterName, 'Burst of each client [default: its rate]')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'What a client is: ip (default) or api_key (needs --auth api_key)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Who may call /v1/*: none (default), api_key (keys from $PLUGCTL_SERVE_API_KEYS, comma separated, or serve.auth in plugctl.yaml) or jwt (access tokens of --auth-issuer for --auth-audience)')
            [CompletionResult]::new('--auth-issuer', '--auth-issuer', [CompletionResultType]::ParameterName, 'With --auth jwt: the OpenID provider whose tokens are accepted')
            [CompletionResult]::new('--auth-audience', '--auth-audience', [CompletionResultType]::ParameterName, 'With --auth jwt: the audience (aud) a token must carry')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines on stderr: text (default) or json (one object per line). Either way, one line per request, client addresses anonymized, credentials masked, values redacted')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a session''s transcript (any tier short of purged) as JSON or JSON Lines, read straight from the store. The embedded store must not be in use by a running server')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'plugctl;serve;export' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Session store: embedded (default), memory or a redis:// URL (as for plugctl serve)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the embedded session store [default: the platform data dir]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'json (one document, default) or jsonl (one message per line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the transcript to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the transcript to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;serve;help' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a session''s transcript (any tier short of purged) as JSON or JSON Lines, read straight from the store. The embedded store must not be in use by a running server')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'plugctl;serve;help;export' {
            break
        }
        'plugctl;serve;help;help' {
            break
        }
        'plugctl;login' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'A provider preset: `google` (issuer https://accounts.google.com, scopes openid email profile)')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'The OpenID issuer URL, exactly as the provider spells it')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The OAuth client ID registered for plugctl at the provider')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope to request (repeatable) [default: openid email profile offline_access]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the sign-in')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Sign in on another device with a code (RFC 8628): for SSH sessions and machines without a browser')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Do not start a browser; print the URL to open (the listener still waits for it)')
            [CompletionResult]::new('--insecure-storage', '--insecure-storage', [CompletionResultType]::ParameterName, 'Keep the tokens in a file readable only by you (mode 0600) instead of the OS keyring. For machines without a working keyring; anyone with your account''s access can read it')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;logout' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Log out of every profile plugctl knows (configured, active, or in the insecure store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;auth' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show who is logged in: profile, issuer, subject, scopes, expiry, storage (never a secret)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a valid access token on stdout (refreshed first when it is about to expire), for scripts: `curl -H "Authorization: Bearer $(plugctl auth token)" ...`')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Refresh the tokens now, with the stored refresh token')
            [CompletionResult]::new('switch', 'switch', [CompletionResultType]::ParameterValue, 'Make another profile the active one')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'The same as `plugctl login`')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'The same as `plugctl logout`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'plugctl;auth;status' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('--insecure-storage', '--insecure-storage', [CompletionResultType]::ParameterName, 'Keep the tokens in a file readable only by you (mode 0600) instead of the OS keyring. For machines without a working keyring; anyone with your account''s access can read it')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;auth;token' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;auth;refresh' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;auth;switch' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;auth;login' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'A provider preset: `google` (issuer https://accounts.google.com, scopes openid email profile)')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'The OpenID issuer URL, exactly as the provider spells it')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The OAuth client ID registered for plugctl at the provider')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope to request (repeatable) [default: openid email profile offline_access]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the sign-in')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Sign in on another device with a code (RFC 8628): for SSH sessions and machines without a browser')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Do not start a browser; print the URL to open (the listener still waits for it)')
            [CompletionResult]::new('--insecure-storage', '--insecure-storage', [CompletionResultType]::ParameterName, 'Keep the tokens in a file readable only by you (mode 0600) instead of the OS keyring. For machines without a working keyring; anyone with your account''s access can read it')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;auth;logout' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use [default: the one `auth switch` chose, else `auth.default_profile` in plugctl.yaml, else "default"]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Log out of every profile plugctl knows (configured, active, or in the insecure store)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;auth;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show who is logged in: profile, issuer, subject, scopes, expiry, storage (never a secret)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a valid access token on stdout (refreshed first when it is about to expire), for scripts: `curl -H "Authorization: Bearer $(plugctl auth token)" ...`')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Refresh the tokens now, with the stored refresh token')
            [CompletionResult]::new('switch', 'switch', [CompletionResultType]::ParameterValue, 'Make another profile the active one')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'The same as `plugctl login`')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'The same as `plugctl logout`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'plugctl;auth;help;status' {
            break
        }
        'plugctl;auth;help;token' {
            break
        }
        'plugctl;auth;help;refresh' {
            break
        }
        'plugctl;auth;help;switch' {
            break
        }
        'plugctl;auth;help;login' {
            break
        }
        'plugctl;auth;help;logout' {
            break
        }
        'plugctl;auth;help;help' {
            break
        }
        'plugctl;completions' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the data on stdout')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (never when NO_COLOR is set, unless "always")')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./plugctl.yaml, then the platform config dir]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but warnings and errors')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Ignore every configuration file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'plugctl;help' {
            [CompletionResult]::new('tokens', 'tokens', [CompletionResultType]::ParameterValue, 'Count tokens exactly as OpenAI''s tiktoken does, and trim chat histories to a budget')
            [CompletionResult]::new('bench', 'bench', [CompletionResultType]::ParameterValue, 'Load-test an HTTP endpoint (closed or open loop, streaming chat with --sse), or merge reports with `plugctl bench merge`')
            [CompletionResult]::new('redact', 'redact', [CompletionResultType]::ParameterValue, 'Redact personal data and secrets in transcripts and logs, losslessly (or --check for them)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a dev chat-plugin server: sessions, context trimming, OpenAPI and Swagger UI')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to an OpenID Connect provider; the tokens go to the OS keyring')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Log out: revoke the tokens at the provider and delete them')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Tokens of the logged-in profile: status, token, refresh, switch')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'plugctl;help;tokens' {
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Count tokens of files or stdin (plain text, or chat transcripts with the prompt formula)')
            [CompletionResult]::new('compress', 'compress', [CompletionResultType]::ParameterValue, 'Trim a chat transcript to a token budget and write it back in the same format')
            break
        }
        'plugctl;help;tokens;count' {
            break
        }
        'plugctl;help;tokens;compress' {
            break
        }
        'plugctl;help;bench' {
            [CompletionResult]::new('merge', 'merge', [CompletionResultType]::ParameterValue, 'Merge `--output json` reports of runs made at the same time (e.g. from several machines): histograms are added, so the percentiles are exact')
            break
        }
        'plugctl;help;bench;merge' {
            break
        }
        'plugctl;help;redact' {
            break
        }
        'plugctl;help;serve' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a session''s transcript (any tier short of purged) as JSON or JSON Lines, read straight from the store. The embedded store must not be in use by a running server')
            break
        }
        'plugctl;help;serve;export' {
            break
        }
        'plugctl;help;login' {
            break
        }
        'plugctl;help;logout' {
            break
        }
        'plugctl;help;auth' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show who is logged in: profile, issuer, subject, scopes, expiry, storage (never a secret)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a valid access token on stdout (refreshed first when it is about to expire), for scripts: `curl -H "Authorization: Bearer $(plugctl auth token)" ...`')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Refresh the tokens now, with the stored refresh token')
            [CompletionResult]::new('switch', 'switch', [CompletionResultType]::ParameterValue, 'Make another profile the active one')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'The same as `plugctl login`')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'The same as `plugctl logout`')
            break
        }
        'plugctl;help;auth;status' {
            break
        }
        'plugctl;help;auth;token' {
            break
        }
        'plugctl;help;auth;refresh' {
            break
        }
        'plugctl;help;auth;switch' {
            break
        }
        'plugctl;help;auth;login' {
            break
        }
        'plugctl;help;auth;logout' {
            break
        }
        'plugctl;help;completions' {
            break
        }
        'plugctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
