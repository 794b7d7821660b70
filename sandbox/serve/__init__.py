"""`sandbox serve`: the stage in a browser, over textual-serve, on this machine or for a room.

Every page runs its own copy of the terminal UI (the same screens and keys) attached to the one
running sandbox of the data directory, so calls arrive live in every page at once:

- `server.py`: textual-serve's aiohttp app with our page and the guard in front of it;
- `guard.py`: the join token, the allowed Host names and same-origin websockets;
- `template/`: the page itself, with no URL off the machine (no network in a classroom);
- `pages.py`: the command each page runs (the presenter's UI, or a follower's read-only one);
- `follow.py`: a follower's page (`python -m sandbox.serve.follow`), which follows the
  presenter's screen;
- `stage.py`: attach to (or start) the sandbox, serve, and say where to join.
"""
