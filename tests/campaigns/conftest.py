"""The campaign tests send through the outbox tests' real SMTP sink."""
from tests.outbox.conftest import _no_leaked_sink_threads, make_sink, sink  # noqa: F401
