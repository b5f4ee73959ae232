"""Ralph (PyPI ralph-malph), a learning record store, on its file-system backend, for the xAPI
tests: python lrs.py PORT (its settings come from RALPH_* variables).

Ralph 5.1's file-system backend writes its statements file in "create" mode, so every write after
the first is refused ("already exists and overwrite is not allowed"); an LRS appends, so the
backend is set to append here. Nothing else is changed. It ends with the process that started it
(the test run, a bench), however that ends.
"""
import os
import sys
import threading
import time

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND


def orphaned(parent):
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


threading.Thread(target=orphaned, args=(os.getppid(),), daemon=True).start()
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
