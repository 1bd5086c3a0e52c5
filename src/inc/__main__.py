"""``python -m inc``."""

from inc.cli import run

if __name__ == "__main__":
    run()
