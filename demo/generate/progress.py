"""The command's progress bar."""

import time


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, one line per phase otherwise."""

    def __init__(self, stream, enabled=True):
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and hasattr(stream, "isatty") and stream.isatty()

    def start(self, label, total):
        self.label, self.total, self.done = label, max(total, 1), 0
        self.started = self.drawn = time.monotonic()
        self._draw()

    def advance(self, step=1):
        self.done += step
        if self.tty and time.monotonic() - self.drawn > 0.1:
            self._draw()

    def finish(self):
        self.done = self.total
        if self.enabled:
            self._draw()
            self.stream.write("\n" if self.tty else "", ending="")
            self.stream.flush()

    def _draw(self):
        if not self.enabled or (not self.tty and self.done < self.total):
            return
        self.drawn = time.monotonic()
        share = self.done / self.total
        bar = "#" * round(share * 30)
        line = (
            f"{self.label:<22} [{bar:<30}] {share:4.0%} {self.done:>7}/{self.total:<7} "
            f"{self.drawn - self.started:6.1f}s"
        )
        self.stream.write(("\r" + line) if self.tty else (line + "\n"), ending="")
        self.stream.flush()
