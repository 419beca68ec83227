"""What every layer shares: frozen value types (models), configuration parsed once into typed
objects (config), errors, logging and metrics. The bottom layer: it imports nothing of the
project, and everything may import it."""
