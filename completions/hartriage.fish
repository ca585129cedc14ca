# fish completion for hartriage; installed as
# $(datadir)/fish/vendor_completions.d/hartriage.fish.

set -l commands analyze import match report merge rules help
set -l severities info low medium high critical
set -l hints har curl-i curl-v curl-trace text postman newman insomnia

complete -c hartriage -f
complete -c hartriage -n "not __fish_seen_subcommand_from $commands" -a analyze -d 'import, match and report in one run'
complete -c hartriage -n "not __fish_seen_subcommand_from $commands" -a import -d 'import captures into a database'
complete -c hartriage -n "not __fish_seen_subcommand_from $commands" -a match -d 'run the rules over a database'
complete -c hartriage -n "not __fish_seen_subcommand_from $commands" -a report -d 'write the report from a database'
complete -c hartriage -n "not __fish_seen_subcommand_from $commands" -a merge -d 'merge the databases of a sharded run'
complete -c hartriage -n "not __fish_seen_subcommand_from $commands" -a rules -d 'list, lint, test or explain rules'
complete -c hartriage -n "not __fish_seen_subcommand_from $commands" -a help -d 'show the help of the program or of COMMAND'
complete -c hartriage -n "not __fish_seen_subcommand_from $commands" -s h -l help -d 'display help and exit'
complete -c hartriage -n "not __fish_seen_subcommand_from $commands" -s V -l version -d 'show versions and rules directories'
complete -c hartriage -n "not __fish_seen_subcommand_from $commands" -s v -l verbose -d 'say what each step did'
complete -c hartriage -n "__fish_seen_subcommand_from help" -a "analyze import match report merge rules"

# Inputs: files, folders, archives, '-' for standard input.
complete -c hartriage -n "__fish_seen_subcommand_from analyze import merge" -F
complete -c hartriage -n "__fish_seen_subcommand_from analyze report" -s o -l output -r -F -d 'write the report to FILE'
complete -c hartriage -n "__fish_seen_subcommand_from analyze report" -s f -l format -x -a 'md json html' -d 'report format'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import" -l name -x -d 'name of standard input'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import match report merge" -l db -r -F -d 'the database'
complete -c hartriage -n "__fish_seen_subcommand_from analyze match" -s r -l rules -x -a '(__fish_complete_directories)' -d 'also read the rules in DIR'
complete -c hartriage -n "__fish_seen_subcommand_from analyze match" -l no-default-rules -d 'read only the --rules directories'
complete -c hartriage -n "__fish_seen_subcommand_from analyze match report" -l fail-on -x -a "$severities" -d 'exit 1 at or above SEVERITY'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import" -l format-hint -x -a "$hints" -d 'skip detection'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import" -l env -r -F -d 'Postman environment or globals export'
complete -c hartriage -n "__fish_seen_subcommand_from analyze report" -l request-id-header -x -d 'also quote this header as a request ID'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import" -l keep-secrets -d 'store raw credentials in the database'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import merge" -l force -d 're-import sources already in the database'
complete -c hartriage -n "__fish_seen_subcommand_from analyze report" -l per-ticket -x -a '(__fish_complete_directories)' -d 'write OUT/<ticket>.md and OUT/index.md'
complete -c hartriage -n "__fish_seen_subcommand_from report" -l ticket -x -d 'only this ticket'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import" -s j -l jobs -x -d 'tickets on N processes'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import" -l shard -x -d 'only the tickets of shard K/N (K from 0)'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import" -l key-file -r -F -d 'redaction key shared by the shards of a run'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import match" -l no-wait -d 'fail when another process writes the database'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import match merge" -s q -l quiet -d 'no progress line, no notes'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import match report merge" -s v -l verbose -d 'say what each step did'
complete -c hartriage -n "__fish_seen_subcommand_from analyze match" -s V -l version -d 'show versions and rules directories'
complete -c hartriage -n "__fish_seen_subcommand_from analyze import match report merge rules" -s h -l help -d 'display help and exit'

# rules ACTION
complete -c hartriage -n "__fish_seen_subcommand_from rules; and not __fish_seen_subcommand_from list lint test explain" -a 'list lint test explain'
complete -c hartriage -n "__fish_seen_subcommand_from rules; and __fish_seen_subcommand_from list" -l format -x -a 'text md' -d 'list format'
complete -c hartriage -n "__fish_seen_subcommand_from rules; and __fish_seen_subcommand_from test" -l benign -x -a '(__fish_complete_directories)' -d 'benign captures'
complete -c hartriage -n "__fish_seen_subcommand_from rules; and __fish_seen_subcommand_from explain" -l rules -x -a '(__fish_complete_directories)' -d 'also read the rules in DIR'
complete -c hartriage -n "__fish_seen_subcommand_from rules; and __fish_seen_subcommand_from list lint test explain" -F
