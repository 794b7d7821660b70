"""The stage's map without Textual: lanes and boxes, routed edges, and a character canvas.

What a class sees is worked out here as plain data, so it is tested without an app: `layout`
places each party in its lane, `routing` finds each edge's path and label spot, `picture` keeps
the calls of the trace on screen, and `canvas` draws characters with style names that the
`CallMap` widget turns into colours from the theme.
"""
