"""`python -m labkit doctor | serve | cleanup`: check the set-up, serve the gateway, remove leftovers."""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import threading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit", description="API Gateway Lab Kit")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="check Python, the dependencies and the backend; print fixes")
    serve = commands.add_parser("serve", help="serve the local gateway (and a moto control plane) on 127.0.0.1")
    serve.add_argument("--port", type=int, default=4567, help="gateway port on 127.0.0.1 (default 4567; 0 = any)")
    serve.add_argument("--demo", action="store_true", help="create a demo API so curl has something to call")
    cleanup = commands.add_parser("cleanup", help="delete what an interrupted lab left behind")
    cleanup.add_argument("--lab", dest="lab_id", default=None, help="only this lab id (default: every lab of yours)")
    cleanup.add_argument("--everyone", action="store_true",
                         help="every owner's labs, not only yours (for a trainer, after the room has finished); "
                              "yours are those tagged labkit:owner = $LABKIT_OWNER, else $JUPYTERHUB_USER, "
                              "else your OS user")
    args = parser.parse_args(argv)

    if args.command == "doctor":
        from . import doctor

        return doctor.main()
    if args.command == "serve":
        return _serve(args.port, args.demo)
    return _cleanup(args.lab_id, args.everyone)


def _serve(port: int, demo: bool) -> int:
    from .lab import Lab

    backend = os.environ.get("LABKIT_BACKEND") or "server"
    if backend == "moto":
        backend = "server"  # an in-process moto would be unreachable from other programs
    lab = Lab(backend, verbose=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` cleans up like Ctrl-C
    try:
        try:
            server = lab.serve(port)
        except OSError as err:
            if err.errno != errno.EADDRINUSE:
                raise
            print(f"--port: 127.0.0.1:{port} is already in use (on a shared machine, perhaps by another "
                  "learner's gateway); --port 0 picks a free one.")
            return 2
        print(f"Gateway:        {server.url}/restapis/{{api_id}}/{{stage}}/_user_request_/{{path}}")
        if server.browser_url != server.url:  # on a JupyterHub: through jupyter-server-proxy
            print(f"From a browser: {server.browser_url}/restapis/{{api_id}}/{{stage}}/_user_request_/{{path}}")
        if lab.endpoint_url:
            print(f"Control plane:  {lab.endpoint_url}  (boto3 endpoint_url; LABKIT_BACKEND=server "
                  f"LABKIT_ENDPOINT_URL={lab.endpoint_url})")
        if demo:
            from .apis import RestApi

            api = RestApi.create(lab.client("apigateway"), "labkit-demo")
            api.resource("/hello").method("GET").mock(body='{"message": "Hello from the Lab Kit"}')
            api.deploy("dev")
            print(f"Try:            curl {server.stage_url(api.id, 'dev')}/hello")
        print("Press Ctrl-C to stop; what this session created is deleted on exit.", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        lab.close()
    return 0


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _cleanup(lab_id: str | None, everyone: bool) -> int:
    """Exit status 0 when everything left behind is gone, 1 when something could not be read or deleted."""
    from .lab import Lab
    from .ledger import CleanupError, cleanup, default_owner
    from .ledger.records import check_lab_id

    if (os.environ.get("LABKIT_BACKEND") or "moto") == "moto":
        print("The moto backend keeps nothing after its process ends: nothing to clean. Set LABKIT_BACKEND "
              "(server or aws) to the backend the interrupted lab used.")
        return 0
    if lab_id is not None:
        try:
            check_lab_id(lab_id)
        except ValueError as err:
            print(f"--lab: {err}")
            return 2
    owner = default_owner()
    whose = "every owner's labs" if everyone else f"the labs of owner {owner} (tag labkit:owner)"
    print(f"Cleaning up {whose}{f', lab {lab_id} only' if lab_id else ''}.", flush=True)
    lab = Lab(verbose=True, owner=owner)
    problems: list[str] = []
    try:
        lines = cleanup(lab.client, lab_id=lab_id, where=lab.where, owner=owner, everyone=everyone)
    except CleanupError as err:
        lines, problems = err.deleted, err.failed
    finally:
        lab.close()
    return report_cleanup(lines, problems)


def report_cleanup(lines: list[str], problems: list[str]) -> int:
    """Print what cleanup did and what it could not do; the exit status (1 if anything went wrong)."""
    from .ledger import count_deleted

    for line in lines:
        print(line)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    deleted = count_deleted(lines)
    if problems:
        print(f"Deleted {deleted} leftover resources; {len(problems)} problem(s) above need a look (run again, "
              "or delete by hand).")
        return 1
    print(f"Deleted {deleted} leftover resources." if deleted else "Nothing was left behind.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
