"""One way to move any document or record from state to state (see workflow.engine).

`import workflow; workflow.perform(...)` works once apps are loaded: the names are read from
workflow.engine lazily, since the engine imports models and this package is an installed app.
"""

_EXPORTS = {"Machine", "Move", "MoveRefused", "Step", "machine_for", "moves_of", "perform", "record_start", "register"}


def __getattr__(name):
    if name in _EXPORTS:
        from . import engine

        return getattr(engine, name)
    raise AttributeError(name)
