"""The wall clock, as the use cases' ``Clock`` port (tests pass their own)."""

import time


class SystemClock:
    def now(self) -> int:
        return int(time.time())
