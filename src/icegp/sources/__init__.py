"""The input sources: one registry of source types (gridded or along-track, time stamps, reader),
the readers of each format, the HTTP downloader, and the loading of one source's day."""
