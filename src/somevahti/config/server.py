"""Serving: the web process, plus the task worker and the scheduler as child processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import TextIO


def _children() -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "somevahti.config.cli"]
    # Background work yields the processor to the web process: answers first, processing after.
    def lower_priority() -> None:
        os.nice(10)

    return [
        subprocess.Popen([*cmd, "worker"], env=env, preexec_fn=lower_priority),
        subprocess.Popen([*cmd, "scheduler"], env=env, preexec_fn=lower_priority),
    ]


def run_server(*, host: str, port: int, demo: bool, background: bool, out: TextIO) -> int:
    from waitress import serve

    from somevahti.config.wsgi import application

    if demo:
        from django.utils import translation

        from somevahti.channels.demo import ensure_demo
        from somevahti.guideline.services import evaluate_rules
        from somevahti.inbox.demo import seed_demo_inbox
        from somevahti.inbox.models import Interaction
        from somevahti.people.demo import demo_organization
        from somevahti.publishing.demo import seed_demo_publishing

        translation.activate(os.environ.get("SOMEVAHTI_LANGUAGE") or "fi")
        credentials = ensure_demo()
        organization = demo_organization()
        if organization is not None and not Interaction.objects.filter(organization=organization).exists():
            seed_demo_publishing(organization=organization)
            seed_demo_inbox(organization=organization)
            evaluate_rules(organization=organization)
        print("", file=out)
        print("Somevahti demo: Joroisten kunta", file=out)
        for role, email, password in credentials:
            print(f"  {role:<28} {email:<34} {password}", file=out)
        print("  (new passwords are made at every start of the demo)", file=out)
    children = _children() if background else []

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"Serving on http://{host}:{port}/", file=out, flush=True)
    try:
        serve(application, host=host, port=port, threads=int(os.environ.get("WEB_THREADS", "8")), _quiet=True)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0
