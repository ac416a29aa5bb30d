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
complete -c plugctl -n "__fish_plugctl_needs_command" -f -a "serve" -d 'Run a dev chat-plugin server: sessions, context trimming, OpenAPI and Swagger UI'
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
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l bind -d 'Address to listen on [default: 127.0.0.1:8787]; port 0 picks a free port' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l data-dir -d 'Directory of the embedded session store [default: the platform data dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l store -d 'Session store: embedded (durable, default) or memory (gone on exit)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l backend -d 'Who answers: echo (deterministic, default) or openai (an OpenAI-compatible API)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l upstream-url -d 'Chat completions URL of the openai backend [default: api.openai.com]. The API key is read from $OPENAI_API_KEY (or the variable named by serve.openai.api_key_env)' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l model -d 'Model: sent to the openai backend, and picks the tokenizer for the context budget' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l context-budget -d 'Token budget of each turn\'s history, reply reserve included [default: 2048]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l reserve-output -d 'Tokens of the budget kept for the reply [default: 256]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l strategy -d 'Which messages survive trimming: last (default), first or middle-out' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l active-ttl -d 'Sliding lifetime of an active session, e.g. 30m [default: 30m]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l inactive-ttl -d 'How long an expired session can still be revived by a message [default: 7d]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l archive-ttl -d 'How long the transcript is then kept read-only before it is purged [default: 30d]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l grace-period -d 'Time in-flight requests get to finish after Ctrl-C/SIGTERM [default: 5m]' -r
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l output -d 'Output format of the data on stdout' -r -f -a "table\t'Human-readable tables'
json\t'JSON with stable snake_case field names (documented in the README)'"
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l color -d 'When to use colour (never when NO_COLOR is set, unless "always")' -r -f -a "auto\t'Colour when writing to a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l config -d 'Configuration file [default: ./plugctl.yaml, then the platform config dir]' -r -F
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -s v -l verbose -d 'Say more on stderr (-v info, -vv debug, -vvv trace)'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -s q -l quiet -d 'Say nothing on stderr but warnings and errors'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -l no-config -d 'Ignore every configuration file'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c plugctl -n "__fish_plugctl_using_subcommand serve" -s V -l version -d 'Print version'
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
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens serve completions help" -f -a "tokens" -d 'Count tokens exactly as OpenAI\'s tiktoken does, and trim chat histories to a budget'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens serve completions help" -f -a "serve" -d 'Run a dev chat-plugin server: sessions, context trimming, OpenAPI and Swagger UI'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens serve completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and not __fish_seen_subcommand_from tokens serve completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and __fish_seen_subcommand_from tokens" -f -a "count" -d 'Count tokens of files or stdin (plain text, or chat transcripts with the prompt formula)'
complete -c plugctl -n "__fish_plugctl_using_subcommand help; and __fish_seen_subcommand_from tokens" -f -a "compress" -d 'Trim a chat transcript to a token budget and write it back in the same format'
