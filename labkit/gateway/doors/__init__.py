"""The ways into the gateway: the one URL parser, the HTTP server and the console's test-invoke.

Every door ends in `Gateway.handle(request)` (httpx's transport seam: one method, many callers).
"""
