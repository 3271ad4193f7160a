"""专用标志核验: check a producer's right to use the GI special mark by credit code, number or QR.

``lookup`` answers (plain functions, shared with the API); ``views`` shows the answers;
``labels`` draws the QR labels printed on packs; ``cli`` is the staff's ``flask authorization``.
"""

from gi_registry.verify.views import bp

__all__ = ["bp"]
