"""What every command shares: its exit codes."""

EXIT_FAILURE = 1  # the work failed (a file, a pack, the service)
EXIT_USAGE = 2  # the command was used wrongly (click's own code for this)
