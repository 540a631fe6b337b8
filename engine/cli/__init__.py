"""The only place that prints or exits: commands, options, validation of a folder."""
