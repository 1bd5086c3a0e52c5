"""``sha256`` without importing ``hashlib`` (which loads OpenSSL: milliseconds of every command).

The interpreter's own implementation gives the same digests.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing
if TYPE_CHECKING:
    from hashlib import sha256 as sha256
else:
    try:
        from _sha256 import sha256
    except ImportError:  # Python 3.12+ names it _sha2; a build without either has hashlib's
        try:
            from _sha2 import sha256
        except ImportError:
            from hashlib import sha256

__all__ = ["sha256"]
