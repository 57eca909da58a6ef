"""Exceptions FasterAPI raises to its users."""


class StartupError(RuntimeError):
    """The server could not start; the message says which module or handler and why."""


class AppLoadError(StartupError):
    """`python -m fasterapi run TARGET` could not find the app that TARGET names."""
