
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
            cand serve 'Run a dev chat-plugin server: sessions, context trimming, OpenAPI and Swagger UI'
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
        &'plugctl;serve'= {
            cand --bind 'Address to listen on [default: 127.0.0.1:8787]; port 0 picks a free port'
            cand --data-dir 'Directory of the embedded session store [default: the platform data dir]'
            cand --store 'Session store: embedded (durable, default) or memory (gone on exit)'
            cand --backend 'Who answers: echo (deterministic, default) or openai (an OpenAI-compatible API)'
            cand --upstream-url 'Chat completions URL of the openai backend [default: api.openai.com]. The API key is read from $OPENAI_API_KEY (or the variable named by serve.openai.api_key_env)'
            cand --model 'Model: sent to the openai backend, and picks the tokenizer for the context budget'
            cand --context-budget 'Token budget of each turn''s history, reply reserve included [default: 2048]'
            cand --reserve-output 'Tokens of the budget kept for the reply [default: 256]'
            cand --strategy 'Which messages survive trimming: last (default), first or middle-out'
            cand --active-ttl 'Sliding lifetime of an active session, e.g. 30m [default: 30m]'
            cand --inactive-ttl 'How long an expired session can still be revived by a message [default: 7d]'
            cand --archive-ttl 'How long the transcript is then kept read-only before it is purged [default: 30d]'
            cand --grace-period 'Time in-flight requests get to finish after Ctrl-C/SIGTERM [default: 5m]'
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
            cand serve 'Run a dev chat-plugin server: sessions, context trimming, OpenAPI and Swagger UI'
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
        &'plugctl;help;serve'= {
        }
        &'plugctl;help;completions'= {
        }
        &'plugctl;help;help'= {
        }
    ]
    $completions[$command]
}
