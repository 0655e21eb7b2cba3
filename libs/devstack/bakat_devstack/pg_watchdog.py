"""Stops an embedded PostgreSQL when the process that started it dies, however it dies.

pg_ctl detaches the postmaster, so PR_SET_PDEATHSIG cannot reach it. This tiny process is our
child instead (with PDEATHSIG=SIGTERM): on SIGTERM it runs `pg_ctl stop -m fast`. A graceful
shutdown SIGKILLs it first and stops the server itself.

Run by file path (not -m) so it starts fast without importing the package:
    python pg_watchdog.py STARTER_PID UID GID PG_CTL DATA_DIR
"""

import os
import signal
import subprocess
import sys


def main() -> None:
    starter, uid, gid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    pg_ctl, data_dir = sys.argv[4], sys.argv[5]

    def stop(*_: object) -> None:
        switch = os.geteuid() == 0 and uid != 0  # as root: run pg_ctl as the server's own user
        subprocess.run(
            [pg_ctl, "-D", data_dir, "-m", "fast", "-w", "-t", "30", "stop"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=data_dir, check=False,
            user=uid if switch else None, group=gid if switch else None, extra_groups=[] if switch else None,
        )
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.getppid() != starter:  # the starter died before we were listening
        stop()
    print("watching", flush=True)  # the starter waits for this: from here on, its death is covered
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
