"""The command line's subcommands: argparse glue over the services, as ui/ is for the pages."""
