"""`convenant serve`: a local web application for analysts and controllers, and its HTTP API.

Server-rendered pages (sandboxed, autoescaped Jinja), one stylesheet and one small script shipped in
the package, nothing loaded from the internet. The pages and the API call the engine exactly as the
commands do, so a fact file is refused in the same words, and every run is recorded in the register
(`convenant.register`).

Modules: `config` (what the server is allowed to do, checked before it starts), `app` (the
application: routes, the safety middleware), `pages` (the covenants and versions), `versions_pages`
(two versions side by side, their changes and their effect on a fact file), `uploads`
(reading an uploaded file without letting its name near the file system), `problems` (the
engine's messages as HTML and as RFC 9457 problem documents), `rendering` (the page templates).
"""
